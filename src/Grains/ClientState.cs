namespace Listo.Orleans.Grains;

/// <summary>A client: its newest snapshot and the ids it applied recently (its workers are derived from their rows).</summary>
[GenerateSerializer, Alias("listo.client-state")]
public sealed class ClientState : EntityState<ClientSnapshot>
{
    protected override EventStamp StampOf(ClientSnapshot snapshot) => snapshot.Stamp;
}
