namespace Listo.Orleans.Grains;

/// <summary>
/// One client: the newest <c>client.created</c> snapshot and the ids of its workers. Worker lines are derived
/// from the worker grains (pushed by them, or read back after activation) and never stored here.
/// </summary>
internal sealed class ClientGrain(
    [PersistentState(StateNames.Client, StateNames.Storage)] IPersistentState<ClientState> state,
    IDeliveryRecorder journal)
    : Grain, IClientGrain
{
    private const int LoadConcurrency = 64;

    private readonly ChangeTracker _changes = new();

    private readonly Dictionary<string, WorkerSummary> _workers = new(StringComparer.Ordinal);
    private GroupCommit<ClientChanges>? _commits;

    // Index additions interleave (a bulk import brings hundreds of new workers per client at once), so every
    // write of this grain goes through one group commit: writes never overlap and concurrent changes share one.
    private GroupCommit<ClientChanges> Commits => _commits ??= new(() => new ClientChanges(), WriteAsync);

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
        var recent = DeliveryRule.Remember(held.RecentEventIds, delivery.Stamp.EventId);
        var (change, hash) = _changes.Compare(held.Snapshot?.Data, delivery.Data, fields => new EntityChange(
            EntityTypes.Client, key, delivery.ClientId, null, null, delivery.Stamp.EventId, delivery.Stamp.OccurredAtText, fields));
        var outbox = new Outbox(change, null, receipt?.WithOutcome(outcome));
        try
        {
            await Commits.AddAsync(changes => (changes.Snapshot, changes.RecentEventIds, changes.Outbox) = (delivery, recent, outbox));
        }
        catch
        {
            _changes.Forget();
            throw;
        }

        _changes.Committed(hash);
        return outcome;
    }

    async Task IClientGrain.IndexWorkerAsync(WorkerSummary worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var id = worker.WorkerId;
        if (Commits.Open is { } open && open.WorkerIds.Contains(id))
        {
            await Commits.DurableAsync(open);
        }
        else if (Commits.Writing is { } writing && writing.WorkerIds.Contains(id))
        {
            await Commits.DurableAsync(writing);
        }
        else if (!state.State.WorkerIds.Contains(id))
        {
            await Commits.AddAsync(changes => changes.WorkerIds.Add(id));
        }

        _workers.SetIfNewer(worker.WorkerId, worker, w => w.Stamp);
    }

    private Task WriteAsync(ClientChanges changes)
    {
        var held = state.State;
        var workerIds = held.WorkerIds;
        if (changes.WorkerIds.Count > 0)
        {
            workerIds = new(held.WorkerIds, StringComparer.Ordinal);
            workerIds.UnionWith(changes.WorkerIds);
        }

        return state.ReplaceAsync(
            new ClientState
            {
                Snapshot = changes.Snapshot ?? held.Snapshot,
                RecentEventIds = changes.RecentEventIds ?? held.RecentEventIds,
                WorkerIds = workerIds,
                Outbox = changes.Outbox,
            },
            DeactivateOnIdle);
    }

    Task<ClientSnapshot?> IClientGrain.GetAsync() => Task.FromResult(state.State.Snapshot);

    async Task<ClientWorkersView?> IClientGrain.GetWorkersAsync()
    {
        var held = state.State;
        if (held.Snapshot is null && held.WorkerIds.Count == 0)
        {
            return null;
        }

        var clientId = GrainKeys.IdOf(this.GetPrimaryKeyString(), GrainKeys.ClientPrefix);
        var missing = held.WorkerIds.Where(id => !_workers.ContainsKey(id)).ToList();
        foreach (var batch in missing.Chunk(LoadConcurrency))
        {
            var loaded = await Task.WhenAll(batch.Select(id => GrainFactory.GetWorkerGrain(clientId, id).GetAsync()));
            foreach (var snapshot in loaded)
            {
                if (snapshot is not null)
                {
                    _workers.SetIfNewer(snapshot.WorkerId, snapshot.ToSummary(), w => w.Stamp);
                }
            }
        }

        var lines = held.WorkerIds
            .Order(StringComparer.Ordinal)
            .Select(id => _workers.GetValueOrDefault(id))
            .OfType<WorkerSummary>()
            .ToList();
        return new ClientWorkersView(clientId, lines);
    }
}

/// <summary>The changes one client write carries: a newer snapshot, new workers, or both.</summary>
internal sealed class ClientChanges
{
    public ClientSnapshot? Snapshot { get; set; }

    public List<string>? RecentEventIds { get; set; }

    public Outbox? Outbox { get; set; }

    public HashSet<string> WorkerIds { get; } = new(StringComparer.Ordinal);
}
