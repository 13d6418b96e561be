using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>A client: its newest snapshot and the ids it applied recently (its workers are derived from their rows).</summary>
[GenerateSerializer, Alias("listo.client-state")]
public sealed class ClientState : OutboxState
{
    [Id(0), JsonPropertyName("snapshot")]
    public ClientSnapshot? Snapshot { get; set; }

    [Id(1), JsonPropertyName("recentEventIds")]
    public List<string> RecentEventIds { get; set; } = [];

    /// <summary>
    /// The stamp of the newest refetch that found the held snapshot current (or the entity gone), when it is newer
    /// than the snapshot's own: deliveries that do not order after it are stale. Null once newer data is applied.
    /// </summary>
    [Id(2), JsonPropertyName("refetched"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EventStamp? Refetched { get; set; }

    /// <summary>What a delivery or refetch must order after to apply (<see cref="DeliveryRule.Held"/>).</summary>
    [JsonIgnore]
    public EventStamp? Held => DeliveryRule.Held(Snapshot?.Stamp, Refetched);
}
