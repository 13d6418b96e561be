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

    public async Task<RefreshResult> RefreshWorkerAsync(string clientId, string workerId, CancellationToken cancellationToken)
    {
        var grain = grains.GetWorkerGrain(clientId, workerId);
        return await RefreshAsync(
            $"worker '{workerId}' of client '{clientId}'",
            async () => await grain.GetAsync() is { } held ? (held.Data, held.SelfPath) : null,
            (body, stamp, path) => ListoResource.TryReadWorker(body, stamp, out var snapshot, out var problem)
                ? snapshot.ClientId == clientId && snapshot.WorkerId == workerId
                    ? (() => grain.RefreshAsync(ListoResource.SelfPath(snapshot.Data) is null ? snapshot with { SelfPath = path } : snapshot), null)
                    : (null, $"Listo answered with worker '{snapshot.WorkerId}' of client '{snapshot.ClientId}', not the one asked for.")
                : (null, problem),
            grain.MarkGoneAsync,
            cancellationToken);
    }

    public async Task<RefreshResult> RefreshClientAsync(string clientId, CancellationToken cancellationToken)
    {
        var grain = grains.GetClientGrain(clientId);
        return await RefreshAsync(
            $"client '{clientId}'",
            async () => await grain.GetAsync() is { } held ? (held.Data, held.SelfPath) : null,
            (body, stamp, path) => ListoResource.TryReadClient(body, stamp, out var snapshot, out var problem)
                ? snapshot.ClientId == clientId
                    ? (() => grain.RefreshAsync(ListoResource.SelfPath(snapshot.Data) is null ? snapshot with { SelfPath = path } : snapshot), null)
                    : (null, $"Listo answered with client '{snapshot.ClientId}', not the one asked for.")
                : (null, problem),
            grain.MarkGoneAsync,
            cancellationToken);
    }

    private async Task<RefreshResult> RefreshAsync(
        string entity,
        Func<Task<(JsonText Data, string? SelfPath)?>> held,
        Func<byte[], EventStamp, string, (Func<Task<RefreshOutcome>>? Apply, string? Problem)> read,
        Func<EventStamp, Task<RefreshOutcome>> markGone,
        CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return RefreshResult.Of(RefreshStatus.NotConfigured, "Refetching from Listo needs Listo:ApiKey, which is not configured.");
        }

        if (await held() is not { } snapshot)
        {
            return RefreshResult.Of(RefreshStatus.UnknownEntity, $"No snapshot is known for {entity}.");
        }

        // The data's own links.self, or, for a snapshot a refetch brought without one, the path it was fetched from.
        if ((ListoResource.SelfPath(snapshot.Data) ?? (ListoResource.IsApiPath(snapshot.SelfPath) ? snapshot.SelfPath : null)) is not { } path)
        {
            return RefreshResult.Of(RefreshStatus.NoSelfLink, $"The snapshot of {entity} has no links.self path to refetch it from.");
        }

        // Taken before the request leaves (and before any wait for the rate limit or a retry): Listo's answer reflects
        // at least every event emitted before this instant.
        var stamp = RefetchStamp.At(time.GetUtcNow());
        var answer = await listo.GetAsync(path, cancellationToken);
        switch (answer)
        {
            case ListoAnswer.Found found:
                var (apply, problem) = read(found.Body, stamp, path);
                return apply is null
                    ? new RefreshResult(RefreshStatus.UpstreamFailed, null, $"{path}: {problem}", stamp)
                    : new RefreshResult(RefreshStatus.Done, await apply(), null, stamp);
            case ListoAnswer.NotFound:
                return new RefreshResult(RefreshStatus.Done, await markGone(stamp), null, stamp);
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
