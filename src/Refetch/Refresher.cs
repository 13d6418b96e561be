using Listo.Orleans.Deliveries;
using Listo.Orleans.Grains;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Refetch;

/// <summary>
/// Refreshes one worker or client from Listo: reads the <c>links.self</c> of its newest snapshot from its grain,
/// fetches that path (the request's send instant is the refetch's stamp, <see cref="RefetchStamp.At"/>), and hands the
/// answer to the grain, which applies it by the ordering rule. Used by the gateway's refresh endpoints and by
/// <c>listo-admin reconcile</c>; the HTTP call is made here, outside the grain, so deliveries to the entity are not held
/// up while Listo answers.
/// </summary>
public sealed class Refresher(IGrainFactory grains, ListoApiClient listo, IOptions<ListoApiOptions> options, TimeProvider time)
{
    /// <summary>Whether <c>Listo:ApiKey</c> is configured.</summary>
    public bool IsConfigured => options.Value.HasKey;

    public Task<RefreshResult> RefreshWorkerAsync(string clientId, string workerId, CancellationToken cancellationToken)
        => RefreshAsync(new WorkerRefreshTarget(grains.GetWorkerGrain(clientId, workerId), clientId, workerId), cancellationToken);

    public Task<RefreshResult> RefreshClientAsync(string clientId, CancellationToken cancellationToken)
        => RefreshAsync(new ClientRefreshTarget(grains.GetClientGrain(clientId), clientId), cancellationToken);

    private async Task<RefreshResult> RefreshAsync<TSnapshot>(RefreshTarget<TSnapshot> target, CancellationToken cancellationToken)
        where TSnapshot : class
    {
        if (!IsConfigured)
        {
            return RefreshResult.Of(RefreshStatus.NotConfigured, "Refetching from Listo needs Listo:ApiKey, which is not configured.");
        }

        if (await target.HeldAsync() is not { } snapshot)
        {
            return RefreshResult.Of(RefreshStatus.UnknownEntity, $"No snapshot is known for {target.Name}.");
        }

        // The data's own links.self, or, for a snapshot a refetch brought without one, the path it was fetched from.
        if ((ListoResource.SelfPath(snapshot.Data) ?? (ListoResource.IsApiPath(snapshot.SelfPath) ? snapshot.SelfPath : null)) is not { } path)
        {
            return RefreshResult.Of(RefreshStatus.NoSelfLink, $"The snapshot of {target.Name} has no links.self path to refetch it from.");
        }

        // Taken before the request leaves (and before any wait for the rate limit or a retry): Listo's answer reflects
        // at least every event emitted before this instant.
        var stamp = RefetchStamp.At(time.GetUtcNow());
        var answer = await listo.GetAsync(path, cancellationToken);
        switch (answer)
        {
            case ListoAnswer.Found found:
                return target.TryRead(found.Body, stamp, path, out var problem)
                    ? new RefreshResult(RefreshStatus.Done, await target.ApplyAsync(), null, stamp)
                    : new RefreshResult(RefreshStatus.UpstreamFailed, null, $"{path}: {problem}", stamp);
            case ListoAnswer.NotFound:
                return new RefreshResult(RefreshStatus.Done, await target.MarkGoneAsync(stamp), null, stamp);
            case ListoAnswer.TimedOut timedOut:
                return new RefreshResult(RefreshStatus.UpstreamTimedOut, null, $"{path}: {timedOut.Detail}", stamp);
            case ListoAnswer.Busy busy:
                return new RefreshResult(RefreshStatus.Busy, null, busy.Detail, stamp);
            case ListoAnswer.Failed failed:
                return new RefreshResult(RefreshStatus.UpstreamFailed, null, $"{path}: {failed.Detail}", stamp) { RetryAfter = failed.RetryAfter };
            default:
                throw new InvalidOperationException($"Unknown answer {answer.GetType().Name}.");
        }
    }
}
