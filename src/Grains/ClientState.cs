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
}
