using System.Text.Json.Serialization;

namespace Listo.Orleans.FakeListo;

/// <summary>
/// What the fake does wrong, per request, drawn from one seeded random sequence: a share answered 429 with
/// <c>Retry-After</c>, a share answered 500, a share answered only after a delay. Changed at run time with
/// <c>PUT /_fake/faults</c>.
/// </summary>
public sealed record FakeListoFaults
{
    [JsonPropertyName("throttleRate")]
    public double ThrottleRate { get; init; }

    [JsonPropertyName("retryAfterSeconds")]
    public int RetryAfterSeconds { get; init; } = 1;

    [JsonPropertyName("failRate")]
    public double FailRate { get; init; }

    [JsonPropertyName("slowRate")]
    public double SlowRate { get; init; }

    [JsonPropertyName("slowMilliseconds")]
    public int SlowMilliseconds { get; init; } = 5000;

    /// <summary>
    /// A slow answer sends its status and headers at once and holds back the rest of its body for
    /// <see cref="SlowMilliseconds"/> (true), rather than answering late (false).
    /// </summary>
    [JsonPropertyName("slowBody")]
    public bool SlowBody { get; init; }

    /// <summary>The first this many requests for each path are answered <see cref="FailFirstStatus"/>, before any draw.</summary>
    [JsonPropertyName("failFirst")]
    public int FailFirst { get; init; }

    /// <summary>The status of those first answers: 429 (with Retry-After) or a 5xx.</summary>
    [JsonPropertyName("failFirstStatus")]
    public int FailFirstStatus { get; init; } = 429;

    public string? Problem()
        => ThrottleRate is < 0 or > 1 || FailRate is < 0 or > 1 || SlowRate is < 0 or > 1 || ThrottleRate + FailRate > 1
            ? "throttleRate, failRate and slowRate are shares from 0 to 1, and throttleRate + failRate is at most 1."
            : RetryAfterSeconds is < 0 or > 3600 || SlowMilliseconds is < 0 or > 600_000
                ? "retryAfterSeconds is 0 to 3600 and slowMilliseconds 0 to 600000."
                : FailFirst < 0 || FailFirstStatus is not (429 or (>= 500 and <= 599))
                    ? "failFirst is 0 or more, and failFirstStatus 429 or a 5xx."
                    : null;
}
