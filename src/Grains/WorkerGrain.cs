using Microsoft.Extensions.Options;

namespace Listo.Orleans.Grains;

/// <summary>
/// One worker engagement. Non-reentrant: deliveries for one engagement apply one at a time, each durable
/// before the next starts. The person and client grains derive from it and are driven after every write.
/// </summary>
internal sealed class WorkerGrain(
    [PersistentState(StateNames.Worker, StateNames.Storage)] IPersistentState<WorkerState> state,
    IChangeFeed feed,
    IOptions<ChangeOptions> changeOptions)
    : Grain, IWorkerGrain
{
    private readonly ChangeTracker _changes = new(feed, changeOptions.Value.HistoryPerEntity);

    // The history that goes with _durable.
    private IReadOnlyList<EntityChange> _durableChanges = [];

    // The newest snapshot known durable; reads interleave with a delivery, so they must not see one mid-write.
    private WorkerSnapshot? _durable;

    // True once the person and client durably hold this engagement (membership and index entry). Memory only on
    // purpose: after an activation (a crash, a move) or a failed propagation, the next delivery of any outcome
    // takes the durable path again.
    private bool _downstreamInSync;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _durable = state.State.Snapshot;
        _durableChanges = state.State.Changes;
        return Task.CompletedTask;
    }

    async Task<DeliveryOutcome> IWorkerGrain.ApplyAsync(WorkerSnapshot delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var key = this.GetPrimaryKeyString();
        if (!string.Equals(key, GrainKeys.Worker(delivery.ClientId, delivery.WorkerId), StringComparison.Ordinal))
        {
            throw new ArgumentException($"Worker grain {key} was sent a snapshot of {delivery.ClientId}/{delivery.WorkerId}.", nameof(delivery));
        }

        var held = state.State;
        var outcome = DeliveryRule.Decide(held.Snapshot?.Stamp, held.RecentEventIds, delivery.Stamp);
        EntityChange? change = null;
        if (outcome == DeliveryOutcome.Applied)
        {
            var previous = held.Snapshot;
            (change, var hash) = _changes.Compare(previous?.Data, delivery.Data, fields => Change(delivery, fields));
            var changes = _changes.Record(held.Changes, change);
            await state.ReplaceAsync(
                new WorkerState
                {
                    Snapshot = delivery,
                    RecentEventIds = DeliveryRule.Remember(held.RecentEventIds, delivery.Stamp.EventId),
                    Changes = changes,
                },
                DeactivateOnIdle);
            _durable = delivery;
            _durableChanges = changes;
            _changes.Committed(hash);
            if (previous is not null && !string.Equals(previous.WorkerProfileId, delivery.WorkerProfileId, StringComparison.Ordinal))
            {
                _downstreamInSync = false;
                await GrainFactory.GetPersonGrain(previous.WorkerProfileId).RemoveEngagementAsync(delivery.ClientId, delivery.WorkerId);
            }
        }

        // The change feed, like the person and client, is caught up by any delivery while not known in sync.
        await _changes.PublishAsync(state.State.Changes, change);

        // Writes across grains are not atomic: a duplicate (Listo's retry after our 5xx) re-drives the steps
        // after the worker, and so does any delivery while they are not known to be in sync.
        if (_durable is not null && (outcome != DeliveryOutcome.Stale || !_downstreamInSync))
        {
            await PropagateAsync(_durable);
        }

        return outcome;
    }

    Task<WorkerSnapshot?> IWorkerGrain.GetAsync() => Task.FromResult(_durable);

    Task<IReadOnlyList<EntityChange>?> IWorkerGrain.GetChangesAsync() => Task.FromResult(_durable is null ? null : _durableChanges);

    private static EntityChange Change(WorkerSnapshot next, IReadOnlyList<FieldChange> fields) => new(
        EntityTypes.Worker, GrainKeys.Worker(next.ClientId, next.WorkerId), next.ClientId, next.WorkerId, next.WorkerProfileId,
        next.Stamp.EventId, next.Stamp.OccurredAtText, fields);

    private async Task PropagateAsync(WorkerSnapshot snapshot)
    {
        var person = GrainFactory.GetPersonGrain(snapshot.WorkerProfileId);
        var client = GrainFactory.GetClientGrain(snapshot.ClientId);
        var summary = snapshot.ToSummary();

        // Steady state: person and client already hold this engagement, so only their derived caches change.
        // Those calls interleave and write nothing, so they never queue behind a busy client's writes.
        // Anything else (first snapshot, after an activation, a membership they lack) takes the durable path.
        var refreshed = _downstreamInSync
            && (await Task.WhenAll(person.RefreshEngagementAsync(snapshot), client.RefreshWorkerAsync(summary))).All(done => done);
        if (!refreshed)
        {
            await Task.WhenAll(person.UpsertEngagementAsync(snapshot), client.IndexWorkerAsync(summary));
        }

        _downstreamInSync = true;
    }
}
