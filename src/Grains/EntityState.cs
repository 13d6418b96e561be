using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>
/// The state of an entity that holds Listo snapshots (a worker or a client): its newest snapshot, the ids it applied
/// recently, and the newest refetch that confirmed it. What a new snapshot must order after is derived from them.
/// </summary>
[GenerateSerializer, Alias("listo.entity-state`1")]
public abstract class EntityState<TSnapshot> : OutboxState
    where TSnapshot : class
{
    [Id(0), JsonPropertyName("snapshot")]
    public TSnapshot? Snapshot { get; set; }

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
    public EventStamp? Held => DeliveryRule.Held(Snapshot is null ? null : StampOf(Snapshot), Refetched);

    protected abstract EventStamp StampOf(TSnapshot snapshot);
}
