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

    /// <summary>The client's snapshot, or null when no <c>client.created</c> was applied.</summary>
    [Alias("get"), ReadOnly]
    Task<ClientSnapshot?> GetAsync();

    /// <summary>Every worker known under the client, or null when neither the client nor a worker is known.</summary>
    [Alias("get-workers"), ReadOnly]
    Task<ClientWorkersView?> GetWorkersAsync();
}
