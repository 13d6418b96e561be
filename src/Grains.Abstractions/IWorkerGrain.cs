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

/// <summary>One person, keyed by <c>workerProfileId</c>, across every client that engages them.</summary>
[Alias("listo.IPersonGrain")]
public interface IPersonGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records a worker snapshot of this person; idempotent, newest per client wins. Writes only a new engagement or
    /// a profile change; a snapshot that brings neither only refreshes the derived view.
    /// </summary>
    [Alias("upsert-engagement")]
    Task UpsertEngagementAsync(WorkerSnapshot snapshot);

    /// <summary>Forgets an engagement whose worker now belongs to another person; idempotent.</summary>
    [Alias("remove-engagement")]
    Task RemoveEngagementAsync(string clientId, string workerId);

    /// <summary>The person's view, or null when no engagement is known.</summary>
    [Alias("get"), ReadOnly]
    Task<PersonView?> GetAsync();
}

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
