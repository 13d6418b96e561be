using Orleans.Concurrency;

namespace Listo.Orleans.Grains;

/// <summary>
/// One worker engagement, keyed <c>{clientId}/{workerId}</c> (see <see cref="GrainKeys.Worker"/>). Holds the
/// newest snapshot and drives the person grain that derives from it; its client's worker list is read from the line each
/// worker write keeps in storage.
/// </summary>
[Alias("listo.IWorkerGrain")]
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies a delivery if it is newer than the held snapshot. Returns once every state it changes is
    /// durable, the person's included (the client's worker list reads the worker's own row), and <paramref name="receipt"/> (when given) is journaled
    /// with the outcome; a failure throws, and a retry converges.
    /// </summary>
    [Alias("apply")]
    Task<DeliveryOutcome> ApplyAsync(WorkerSnapshot delivery, JournalEntry? receipt = null);

    /// <summary>
    /// Applies <paramref name="fetched"/>, the entity's current state as Listo's REST API answered it, stamped
    /// <see cref="RefetchStamp.At"/>, by the same ordering rule as a delivery. <see cref="RefreshOutcome.Applied"/> when
    /// it replaced different data (a change enters the feed, its event id a refetch's); otherwise
    /// <see cref="RefreshOutcome.Unchanged"/>, and the refetch's instant still becomes the point older deliveries lose to.
    /// </summary>
    [Alias("refresh")]
    Task<RefreshOutcome> RefreshAsync(WorkerSnapshot fetched);

    /// <summary>
    /// Listo answered 404 to a refetch stamped <paramref name="refetched"/>: the snapshot is kept and marked gone,
    /// unless newer data arrived meanwhile. Returns <see cref="RefreshOutcome.Gone"/>.
    /// </summary>
    [Alias("mark-gone")]
    Task<RefreshOutcome> MarkGoneAsync(EventStamp refetched);

    /// <summary>The newest durable snapshot, or null when none was ever applied.</summary>
    [Alias("get"), AlwaysInterleave]
    Task<WorkerSnapshot?> GetAsync();
}
