using System.Diagnostics.CodeAnalysis;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Refetch;

/// <summary>A client to refetch (<c>GET</c> its <c>links.self</c>, answered as a client resource).</summary>
internal sealed class ClientRefreshTarget(IClientGrain grain, string clientId)
    : RefreshTarget<ClientSnapshot>(grain.GetAsync, grain.RefreshAsync, grain.MarkGoneAsync)
{
    public override string Name => $"client '{clientId}'";

    protected override JsonText DataOf(ClientSnapshot snapshot) => snapshot.Data;

    protected override string? SelfPathOf(ClientSnapshot snapshot) => snapshot.SelfPath;

    protected override ClientSnapshot WithSelfPath(ClientSnapshot snapshot, string path) => snapshot with { SelfPath = path };

    protected override bool TryParse(byte[] body, EventStamp stamp, [NotNullWhen(true)] out ClientSnapshot? snapshot, [NotNullWhen(false)] out string? problem)
    {
        if (ListoResource.TryReadClient(body, stamp, out snapshot, out problem) && snapshot.ClientId != clientId)
        {
            problem = $"Listo answered with client '{snapshot.ClientId}', not the one asked for.";
            snapshot = null;
        }

        return snapshot is not null;
    }
}
