namespace Listo.Orleans.Grains;

/// <summary>
/// One worker engagement. Non-reentrant: deliveries for one engagement apply one at a time, each durable before the
/// next starts. The person grain derives from it and is driven after every write; the client's worker list is read
/// from the line each worker write keeps in storage (<see cref="IWorkerDirectory"/>).
/// </summary>
internal sealed class WorkerGrain(
    [PersistentState(StateNames.Worker, StateNames.Storage)] IPersistentState<WorkerState> state,
    IDeliveryRecorder journal)
    : SnapshotGrain<WorkerState, WorkerSnapshot>(state), IWorkerGrain
{
    // The newest snapshot known durable; reads interleave with a delivery, so they must not see one mid-write.
    private WorkerSnapshot? _durable;

    // True while the person is known to hold the durable snapshot (membership, profile and derived view). Memory
    // only on purpose: after an activation (a crash, a move) or a failed propagation, the next delivery of any
    // outcome drives the person again.
    private bool _downstreamInSync;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _durable = State.State.Snapshot;
        return Task.CompletedTask;
    }

    async Task<DeliveryOutcome> IWorkerGrain.ApplyAsync(WorkerSnapshot delivery, JournalEntry? receipt)
    {
        CheckKey(delivery);
        var held = State.State;
        var outcome = DeliveryRule.Decide(held.Held, held.RecentEventIds, delivery.Stamp);
        if (outcome == DeliveryOutcome.Applied)
        {
            var (change, hash) = Compare(delivery);
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

    Task<RefreshOutcome> IWorkerGrain.RefreshAsync(WorkerSnapshot fetched) => RefreshAsync(fetched);

    Task<RefreshOutcome> IWorkerGrain.MarkGoneAsync(EventStamp refetched) => MarkGoneAsync(refetched);

    Task<WorkerSnapshot?> IWorkerGrain.GetAsync() => Task.FromResult(_durable);

    /// <summary>Makes <paramref name="next"/> the durable snapshot, then drives the person from it.</summary>
    protected override async Task CommitAsync(WorkerSnapshot next, List<string> recentEventIds, EntityChange? change, UInt128 hash, JournalEntry? receipt)
    {
        var previous = State.State.Snapshot;

        // The snapshot, its change, the journal entry and the worker's line in its client's list commit together:
        // a change is in the feed exactly when its snapshot is durable, and an "applied" outcome is journaled exactly then too.
        await WriteAsync(next, recentEventIds, refetched: null, new Outbox(change, null, receipt, next.ToSummary()));
        _durable = next;
        Changes.Committed(hash);
        _downstreamInSync = false;
        if (previous is not null && !string.Equals(previous.WorkerProfileId, next.WorkerProfileId, StringComparison.Ordinal))
        {
            await GrainFactory.GetPersonGrain(previous.WorkerProfileId).RemoveEngagementAsync(next.ClientId, next.WorkerId);
        }

        await PropagateAsync(next);
    }

    protected override void Kept(WorkerSnapshot snapshot) => _durable = snapshot;

    protected override string KeyOf(WorkerSnapshot snapshot) => GrainKeys.Worker(snapshot.ClientId, snapshot.WorkerId);

    protected override EventStamp StampOf(WorkerSnapshot snapshot) => snapshot.Stamp;

    protected override JsonText DataOf(WorkerSnapshot snapshot) => snapshot.Data;

    protected override WorkerSnapshot WithGoneAt(WorkerSnapshot snapshot, string? goneAt)
        => snapshot.GoneAt == goneAt ? snapshot : snapshot with { GoneAt = goneAt };

    protected override EntityChange Change(WorkerSnapshot next, IReadOnlyList<FieldChange> fields) => new(
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
