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
}
