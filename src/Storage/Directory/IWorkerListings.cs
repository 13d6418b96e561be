using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>
/// The worker directory as the grain storages that write after the state keep it (<see cref="OutboxAfterWriteStorage"/>):
/// each worker write's line (<see cref="Outbox.Listing"/>) is put once the state is. The storage engine writes the
/// line in the state's own row instead.
/// </summary>
public interface IWorkerListings : IWorkerDirectory
{
    /// <summary>Makes <paramref name="listing"/> the line of the worker stored as <paramref name="stateName"/> under <paramref name="grainKey"/>.</summary>
    Task PutAsync(string stateName, string grainKey, WorkerSummary listing);
}
