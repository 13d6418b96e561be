namespace Listo.Orleans.Grains;

/// <summary>
/// One worker engagement. Non-reentrant: deliveries for one engagement apply one at a time, each durable
/// before the next starts. The person grain derives from it and is driven after every write; the client's worker
/// list is read from the workers' rows.
/// </summary>
internal sealed class WorkerGrain(
    [PersistentState(StateNames.Worker, StateNames.Storage)] IPersistentState<WorkerState> state,
    IDeliveryRecorder journal)
    : Grain, IWorkerGrain
{
    private readonly ChangeTracker _changes = new();

    // The newest snapshot known durable; reads interleave with a delivery, so they must not see one mid-write.
    private WorkerSnapshot? _durable;

    // True while the person is known to hold the durable snapshot (membership, profile and derived view). Memory
    // only on purpose: after an activation (a crash, a move) or a failed propagation, the next delivery of any
    // outcome drives the person again.
    private bool _downstreamInSync;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _durable = state.State.Snapshot;
        return Task.CompletedTask;
    }

    async Task<DeliveryOutcome> IWorkerGrain.ApplyAsync(WorkerSnapshot delivery, JournalEntry? receipt)
    {
        CheckKey(delivery);
        var held = state.State;
        var outcome = DeliveryRule.Decide(held.Held, held.RecentEventIds, delivery.Stamp);
        if (outcome == DeliveryOutcome.Applied)
        {
            var (change, hash) = _changes.Compare(held.Snapshot?.Data, delivery.Data, fields => Change(delivery, fields));
            await CommitAsync(delivery, DeliveryRule.Remember(held.RecentEventIds, delivery.Stamp.EventId), change, hash, receipt?.WithOutcome(outcome));
            return outcome;
        }

        // Nothing of this worker changes: the journal entry is a write of its own, alongside the steps after the
        // worker when they are not known to be in sync (writes across grains are not atomic, so Listo's retry of a
        // delivery answered 5xx re-drives them).
        await Task.WhenAll(
            receipt is null ? Task.CompletedTask : journal.RecordAsync(receipt.WithOutcome(outcome)),
            _durable is not null && !_downstreamInSync ? PropagateAsync(_durable) : Task.CompletedTask);
        return outcome;
    }

    async Task<RefreshOutcome> IWorkerGrain.RefreshAsync(WorkerSnapshot fetched)
    {
        CheckKey(fetched);
        var held = state.State;
        if (!DeliveryRule.RefetchIsNewer(held.Held, fetched.Stamp))
        {
            // A delivery newer than the refetch was applied while it was in flight: it wins.
            return RefreshOutcome.Unchanged;
        }

        var (change, hash) = _changes.Compare(held.Snapshot?.Data, fetched.Data, fields => Change(fetched, fields));
        if (change is null && held.Snapshot is { } same)
        {
            // Listo holds what we hold: the snapshot keeps its event, and older deliveries now lose to the refetch.
            var kept = same.GoneAt is null ? same : same with { GoneAt = null };
            await state.ReplaceAsync(
                new WorkerState { Snapshot = kept, RecentEventIds = held.RecentEventIds, Refetched = fetched.Stamp },
                _changes,
                DeactivateOnIdle);
            _durable = kept;
            return RefreshOutcome.Unchanged;
        }

        // The refetch's event id is not remembered: only Listo's ids can come again as duplicates.
        await CommitAsync(fetched, held.RecentEventIds, change, hash, receipt: null);
        return RefreshOutcome.Applied;
    }

    async Task<RefreshOutcome> IWorkerGrain.MarkGoneAsync(EventStamp refetched)
    {
        var held = state.State;
        if (held.Snapshot is { } snapshot && DeliveryRule.RefetchIsNewer(held.Held, refetched))
        {
            var marked = snapshot with { GoneAt = refetched.OccurredAtText };
            await state.ReplaceAsync(
                new WorkerState { Snapshot = marked, RecentEventIds = held.RecentEventIds, Refetched = refetched },
                _changes,
                DeactivateOnIdle);
            _durable = marked;
        }

        return RefreshOutcome.Gone;
    }

    private void CheckKey(WorkerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var key = this.GetPrimaryKeyString();
        if (!string.Equals(key, GrainKeys.Worker(snapshot.ClientId, snapshot.WorkerId), StringComparison.Ordinal))
        {
            throw new ArgumentException($"Worker grain {key} was sent a snapshot of {snapshot.ClientId}/{snapshot.WorkerId}.", nameof(snapshot));
        }
    }

    /// <summary>Makes <paramref name="next"/> the durable snapshot, then drives the person from it.</summary>
    private async Task CommitAsync(WorkerSnapshot next, List<string> recentEventIds, EntityChange? change, UInt128 hash, JournalEntry? receipt)
    {
        var previous = state.State.Snapshot;

        // The snapshot, its change and the journal entry commit together: a change is in the feed exactly
        // when its snapshot is durable, and an "applied" outcome is journaled exactly then too.
        await state.ReplaceAsync(
            new WorkerState { Snapshot = next, RecentEventIds = recentEventIds, Outbox = new Outbox(change, null, receipt) },
            _changes,
            DeactivateOnIdle);
        _durable = next;
        _changes.Committed(hash);
        _downstreamInSync = false;
        if (previous is not null && !string.Equals(previous.WorkerProfileId, next.WorkerProfileId, StringComparison.Ordinal))
        {
            await GrainFactory.GetPersonGrain(previous.WorkerProfileId).RemoveEngagementAsync(next.ClientId, next.WorkerId);
        }

        await PropagateAsync(next);
    }

    Task<WorkerSnapshot?> IWorkerGrain.GetAsync() => Task.FromResult(_durable);

    private static EntityChange Change(WorkerSnapshot next, IReadOnlyList<FieldChange> fields) => new(
        EntityTypes.Worker, GrainKeys.Worker(next.ClientId, next.WorkerId), next.ClientId, next.WorkerId, next.WorkerProfileId,
        next.Stamp.EventId, next.Stamp.OccurredAtText, fields);

    /// <summary>
    /// Drives the person (one call). It writes only what it does not hold yet: a new engagement or a profile change;
    /// a steady-state update only refreshes its derived view. The client needs nothing: its worker list is read from
    /// the workers' rows.
    /// </summary>
    private async Task PropagateAsync(WorkerSnapshot snapshot)
    {
        await GrainFactory.GetPersonGrain(snapshot.WorkerProfileId).UpsertEngagementAsync(snapshot);
        _downstreamInSync = true;
    }
}
