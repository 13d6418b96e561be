using Orleans.Concurrency;

namespace Listo.Orleans.Grains;

/// <summary>
/// One worker engagement, keyed <c>{clientId}/{workerId}</c> (see <see cref="GrainKeys.Worker"/>). Holds the
/// newest snapshot and drives the person and client grains that derive from it.
/// </summary>
[Alias("listo.IWorkerGrain")]
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies a delivery if it is newer than the held snapshot. Returns once every state it changes is
    /// durable, including the person's and the client's, and <paramref name="receipt"/> (when given) is journaled
    /// with the outcome; a failure throws, and a retry converges.
    /// </summary>
    [Alias("apply")]
    Task<DeliveryOutcome> ApplyAsync(WorkerSnapshot delivery, JournalEntry? receipt = null);

    /// <summary>The newest durable snapshot, or null when none was ever applied.</summary>
    [Alias("get"), AlwaysInterleave]
    Task<WorkerSnapshot?> GetAsync();
}
