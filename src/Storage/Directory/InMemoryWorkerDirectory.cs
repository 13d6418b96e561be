using System.Collections.Concurrent;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>The embedded mode's worker directory: each worker's line as its last write put it, by grain key.</summary>
public sealed class InMemoryWorkerDirectory : IWorkerListings
{
    private readonly ConcurrentDictionary<string, WorkerSummary> _lines = new(StringComparer.Ordinal);

    public Task PutAsync(string stateName, string grainKey, WorkerSummary listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        _lines[grainKey] = listing;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WorkerSummary>> ListAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var prefix = GrainKeys.Worker(clientId, "");
        IReadOnlyList<WorkerSummary> workers = _lines
            .Where(line => line.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(line => line.Value)
            .OrderBy(w => w.WorkerId, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(workers);
    }
}
