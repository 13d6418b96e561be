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
        ArgumentNullException.ThrowIfNull(delivery);
        var key = this.GetPrimaryKeyString();
        if (!string.Equals(key, GrainKeys.Client(delivery.ClientId), StringComparison.Ordinal))
        {
            throw new ArgumentException($"Client grain {key} was sent a snapshot of client {delivery.ClientId}.", nameof(delivery));
        }

        var held = state.State;
        var outcome = DeliveryRule.Decide(held.Snapshot?.Stamp, held.RecentEventIds, delivery.Stamp);
        if (outcome != DeliveryOutcome.Applied)
        {
            if (receipt is not null)
            {
                await journal.RecordAsync(receipt.WithOutcome(outcome));
            }

            return outcome;
        }

        // The snapshot, its change and the journal entry commit in one write.
        var (change, hash) = _changes.Compare(held.Snapshot?.Data, delivery.Data, fields => new EntityChange(
            EntityTypes.Client, key, delivery.ClientId, null, null, delivery.Stamp.EventId, delivery.Stamp.OccurredAtText, fields));
        await state.ReplaceAsync(
            new ClientState
            {
                Snapshot = delivery,
                RecentEventIds = DeliveryRule.Remember(held.RecentEventIds, delivery.Stamp.EventId),
                Outbox = new Outbox(change, null, receipt?.WithOutcome(outcome)),
            },
            _changes,
            DeactivateOnIdle);
        _changes.Committed(hash);
        return outcome;
    }

    Task<ClientSnapshot?> IClientGrain.GetAsync() => Task.FromResult(state.State.Snapshot);

    async Task<ClientWorkersView?> IClientGrain.GetWorkersAsync()
    {
        var clientId = GrainKeys.IdOf(this.GetPrimaryKeyString(), GrainKeys.ClientPrefix);
        var workers = await directory.ListAsync(clientId);
        return state.State.Snapshot is null && workers.Count == 0 ? null : new ClientWorkersView(clientId, workers);
    }
}
