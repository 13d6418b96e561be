using System.Text.Json.Serialization;

namespace Listo.Orleans.FakeListo;

/// <summary>
/// What the fake has served: requests by status, requests without the right key, and the most requests that arrived in
/// any one second and in any five seconds.
/// </summary>
public sealed record FakeListoStats(
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("byStatus")] IReadOnlyDictionary<string, long> ByStatus,
    [property: JsonPropertyName("wrongKey")] long WrongKey,
    [property: JsonPropertyName("maxInAnySecond")] int MaxInAnySecond,
    [property: JsonPropertyName("maxInAnyFiveSeconds")] int MaxInAnyFiveSeconds,
    [property: JsonPropertyName("averagePerSecond")] double AveragePerSecond);
