using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>A person: which worker holds each of its engagements (client id → worker id).</summary>
[GenerateSerializer, Alias("listo.person-state")]
public sealed class PersonState : OutboxState
{
    [Id(0), JsonPropertyName("engagements")]
    public Dictionary<string, string> Engagements { get; set; } = new(StringComparer.Ordinal);
}
