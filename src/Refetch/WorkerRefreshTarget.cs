using System.Diagnostics.CodeAnalysis;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Refetch;

/// <summary>A worker engagement to refetch (<c>GET</c> its <c>links.self</c>, answered as a worker resource).</summary>
internal sealed class WorkerRefreshTarget(IWorkerGrain grain, string clientId, string workerId)
    : RefreshTarget<WorkerSnapshot>(grain.GetAsync, grain.RefreshAsync, grain.MarkGoneAsync)
{
    public override string Name => $"worker '{workerId}' of client '{clientId}'";

    protected override JsonText DataOf(WorkerSnapshot snapshot) => snapshot.Data;

    protected override string? SelfPathOf(WorkerSnapshot snapshot) => snapshot.SelfPath;

    protected override WorkerSnapshot WithSelfPath(WorkerSnapshot snapshot, string path) => snapshot with { SelfPath = path };

    protected override bool TryParse(byte[] body, EventStamp stamp, [NotNullWhen(true)] out WorkerSnapshot? snapshot, [NotNullWhen(false)] out string? problem)
    {
        if (ListoResource.TryReadWorker(body, stamp, out snapshot, out problem) && (snapshot.ClientId != clientId || snapshot.WorkerId != workerId))
        {
            problem = $"Listo answered with worker '{snapshot.WorkerId}' of client '{snapshot.ClientId}', not the one asked for.";
            snapshot = null;
        }

        return snapshot is not null;
    }
}
