using System.Text.Json.Serialization;

namespace Listo.Orleans.FakeListo;

/// <summary>What the fake has served: requests by status, requests without the right key, and the busiest second.</summary>
public sealed record FakeListoStats(
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("byStatus")] IReadOnlyDictionary<string, long> ByStatus,
    [property: JsonPropertyName("wrongKey")] long WrongKey,
    [property: JsonPropertyName("maxInAnySecond")] int MaxInAnySecond,
    [property: JsonPropertyName("averagePerSecond")] double AveragePerSecond);
