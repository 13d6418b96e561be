using Orleans.Concurrency;

namespace Listo.Orleans.Grains;

/// <summary>One client, keyed by <c>clientId</c>: its snapshot, and the list of its workers (read from the workers' rows).</summary>
[Alias("listo.IClientGrain")]
public interface IClientGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies a <c>client.created</c> delivery if it is newer than the held snapshot; journals
    /// <paramref name="receipt"/> (when given) with the outcome.
    /// </summary>
    [Alias("apply")]
    Task<DeliveryOutcome> ApplyAsync(ClientSnapshot delivery, JournalEntry? receipt = null);

    /// <summary>
    /// Applies <paramref name="fetched"/>, the entity's current state as Listo's REST API answered it, stamped
    /// <see cref="RefetchStamp.At"/>, by the same ordering rule as a delivery. <see cref="RefreshOutcome.Applied"/> when
    /// it replaced different data (a change enters the feed, its event id a refetch's); otherwise
    /// <see cref="RefreshOutcome.Unchanged"/>, and the refetch's instant still becomes the point older deliveries lose to.
    /// </summary>
    [Alias("refresh")]
    Task<RefreshOutcome> RefreshAsync(ClientSnapshot fetched);

    /// <summary>
    /// Listo answered 404 to a refetch stamped <paramref name="refetched"/>: the snapshot is kept and marked gone,
    /// unless newer data arrived meanwhile. Returns <see cref="RefreshOutcome.Gone"/>.
    /// </summary>
    [Alias("mark-gone")]
    Task<RefreshOutcome> MarkGoneAsync(EventStamp refetched);

    /// <summary>The client's snapshot, or null when no <c>client.created</c> was applied.</summary>
    [Alias("get"), ReadOnly]
    Task<ClientSnapshot?> GetAsync();

    /// <summary>Every worker known under the client, or null when neither the client nor a worker is known.</summary>
    [Alias("get-workers"), ReadOnly]
    Task<ClientWorkersView?> GetWorkersAsync();
}
