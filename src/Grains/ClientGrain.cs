namespace Listo.Orleans.Grains;

/// <summary>
/// One client: the newest <c>client.created</c> snapshot. Its workers are not stored here: the list is read from the
/// line each worker's own write keeps (<see cref="IWorkerDirectory"/>), so worker deliveries never call or write the client.
/// </summary>
internal sealed class ClientGrain(
    [PersistentState(StateNames.Client, StateNames.Storage)] IPersistentState<ClientState> state,
    IDeliveryRecorder journal,
    IWorkerDirectory directory)
    : SnapshotGrain<ClientState, ClientSnapshot>(state), IClientGrain
{
    async Task<DeliveryOutcome> IClientGrain.ApplyAsync(ClientSnapshot delivery, JournalEntry? receipt)
    {
        CheckKey(delivery);
        var held = State.State;
        var outcome = DeliveryRule.Decide(held.Held, held.RecentEventIds, delivery.Stamp);
        if (outcome != DeliveryOutcome.Applied)
        {
            if (receipt is not null)
            {
                await journal.RecordAsync(receipt.WithOutcome(outcome));
            }

            return outcome;
        }

        var (change, hash) = Compare(delivery);
        await CommitAsync(delivery, DeliveryRule.Remember(held.RecentEventIds, delivery.Stamp.EventId), change, hash, receipt?.WithOutcome(outcome));
        return outcome;
    }

    Task<RefreshOutcome> IClientGrain.RefreshAsync(ClientSnapshot fetched) => RefreshAsync(fetched);

    Task<RefreshOutcome> IClientGrain.MarkGoneAsync(EventStamp refetched) => MarkGoneAsync(refetched);

    Task<ClientSnapshot?> IClientGrain.GetAsync() => Task.FromResult(State.State.Snapshot);

    async Task<ClientWorkersView?> IClientGrain.GetWorkersAsync()
    {
        var clientId = GrainKeys.IdOf(this.GetPrimaryKeyString(), GrainKeys.ClientPrefix);
        var workers = await directory.ListAsync(clientId);
        return State.State.Snapshot is null && workers.Count == 0 ? null : new ClientWorkersView(clientId, workers);
    }

    /// <summary>The snapshot, its change and the journal entry commit in one write.</summary>
    protected override async Task CommitAsync(ClientSnapshot next, List<string> recentEventIds, EntityChange? change, UInt128 hash, JournalEntry? receipt)
    {
        await WriteAsync(next, recentEventIds, refetched: null, new Outbox(change, null, receipt));
        Changes.Committed(hash);
    }

    protected override string KeyOf(ClientSnapshot snapshot) => GrainKeys.Client(snapshot.ClientId);

    protected override EventStamp StampOf(ClientSnapshot snapshot) => snapshot.Stamp;

    protected override JsonText DataOf(ClientSnapshot snapshot) => snapshot.Data;

    protected override ClientSnapshot WithGoneAt(ClientSnapshot snapshot, string? goneAt)
        => snapshot.GoneAt == goneAt ? snapshot : snapshot with { GoneAt = goneAt };

    protected override EntityChange Change(ClientSnapshot next, IReadOnlyList<FieldChange> fields)
        => new(EntityTypes.Client, GrainKeys.Client(next.ClientId), next.ClientId, null, null, next.Stamp.EventId, next.Stamp.OccurredAtText, fields);
}
