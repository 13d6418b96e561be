namespace Listo.Orleans.Grains;

/// <summary>
/// One client: the newest <c>client.created</c> snapshot. Its workers are not stored here: the list is read from the
/// workers' own durable rows (<see cref="IWorkerDirectory"/>), so worker deliveries never call or write the client.
/// </summary>
internal sealed class ClientGrain(
    [PersistentState(StateNames.Client, StateNames.Storage)] IPersistentState<ClientState> state,
    IDeliveryRecorder journal,
    IWorkerDirectory directory)
    : Grain, IClientGrain
{
    private readonly ChangeTracker _changes = new();

    async Task<DeliveryOutcome> IClientGrain.ApplyAsync(ClientSnapshot delivery, JournalEntry? receipt)
    {
        CheckKey(delivery);
        var held = state.State;
        var outcome = DeliveryRule.Decide(held.Held, held.RecentEventIds, delivery.Stamp);
        if (outcome != DeliveryOutcome.Applied)
        {
            if (receipt is not null)
            {
                await journal.RecordAsync(receipt.WithOutcome(outcome));
            }

            return outcome;
        }

        // The snapshot, its change and the journal entry commit in one write.
        var (change, hash) = _changes.Compare(held.Snapshot?.Data, delivery.Data, fields => Change(delivery, fields));
        await WriteAsync(new ClientState
        {
            Snapshot = delivery,
            RecentEventIds = DeliveryRule.Remember(held.RecentEventIds, delivery.Stamp.EventId),
            Outbox = new Outbox(change, null, receipt?.WithOutcome(outcome)),
        });
        _changes.Committed(hash);
        return outcome;
    }

    async Task<RefreshOutcome> IClientGrain.RefreshAsync(ClientSnapshot fetched)
    {
        CheckKey(fetched);
        var held = state.State;
        if (!DeliveryRule.RefetchIsNewer(held.Held, fetched.Stamp))
        {
            return RefreshOutcome.Unchanged;
        }

        var (change, hash) = _changes.Compare(held.Snapshot?.Data, fetched.Data, fields => Change(fetched, fields));
        if (change is null && held.Snapshot is { } same)
        {
            // Listo holds what we hold: the snapshot keeps its event, and older deliveries now lose to the refetch.
            await WriteAsync(new ClientState { Snapshot = same with { GoneAt = null }, RecentEventIds = held.RecentEventIds, Refetched = fetched.Stamp });
            return RefreshOutcome.Unchanged;
        }

        // The refetch's event id is not remembered: only Listo's ids can come again as duplicates.
        await WriteAsync(new ClientState { Snapshot = fetched, RecentEventIds = held.RecentEventIds, Outbox = new Outbox(change, null, null) });
        _changes.Committed(hash);
        return RefreshOutcome.Applied;
    }

    async Task<RefreshOutcome> IClientGrain.MarkGoneAsync(EventStamp refetched)
    {
        var held = state.State;
        if (held.Snapshot is { } snapshot && DeliveryRule.RefetchIsNewer(held.Held, refetched))
        {
            await WriteAsync(new ClientState
            {
                Snapshot = snapshot with { GoneAt = refetched.OccurredAtText },
                RecentEventIds = held.RecentEventIds,
                Refetched = refetched,
            });
        }

        return RefreshOutcome.Gone;
    }

    private Task WriteAsync(ClientState next) => state.ReplaceAsync(next, _changes, DeactivateOnIdle);

    private void CheckKey(ClientSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var key = this.GetPrimaryKeyString();
        if (!string.Equals(key, GrainKeys.Client(snapshot.ClientId), StringComparison.Ordinal))
        {
            throw new ArgumentException($"Client grain {key} was sent a snapshot of client {snapshot.ClientId}.", nameof(snapshot));
        }
    }

    private static EntityChange Change(ClientSnapshot next, IReadOnlyList<FieldChange> fields)
        => new(EntityTypes.Client, GrainKeys.Client(next.ClientId), next.ClientId, null, null, next.Stamp.EventId, next.Stamp.OccurredAtText, fields);

    Task<ClientSnapshot?> IClientGrain.GetAsync() => Task.FromResult(state.State.Snapshot);

    async Task<ClientWorkersView?> IClientGrain.GetWorkersAsync()
    {
        var clientId = GrainKeys.IdOf(this.GetPrimaryKeyString(), GrainKeys.ClientPrefix);
        var workers = await directory.ListAsync(clientId);
        return state.State.Snapshot is null && workers.Count == 0 ? null : new ClientWorkersView(clientId, workers);
    }
}
