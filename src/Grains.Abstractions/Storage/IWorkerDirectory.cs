namespace Listo.Orleans.Grains;

/// <summary>
/// The workers stored under a client, read from the workers' own rows: a client's index is derived, never written
/// by the client, so a new worker costs its client no write and no grain call.
/// </summary>
public interface IWorkerDirectory
{
    /// <summary>The line of every worker with a durable snapshot under <paramref name="clientId"/>, ordered by worker id (ordinal).</summary>
    Task<IReadOnlyList<WorkerSummary>> ListAsync(string clientId, CancellationToken cancellationToken = default);
}
