using Orleans.Concurrency;

namespace Listo.Orleans.Grains;

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
