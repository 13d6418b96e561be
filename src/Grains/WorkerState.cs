using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>A worker engagement: its newest snapshot and the ids it applied recently.</summary>
[GenerateSerializer, Alias("listo.worker-state")]
public sealed class WorkerState : OutboxState
{
    [Id(0), JsonPropertyName("snapshot")]
    public WorkerSnapshot? Snapshot { get; set; }

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
