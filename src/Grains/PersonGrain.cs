namespace Listo.Orleans.Grains;

/// <summary>
/// One person (<c>workerProfileId</c>). Stores only which worker holds each engagement; the snapshots are
/// derived from the worker grains (pushed by them, or read back after activation), so a steady-state update
/// writes nothing here.
/// </summary>
internal sealed class PersonGrain(
    [PersistentState(StateNames.Person, StateNames.Storage)] IPersistentState<PersonState> state)
    : Grain, IPersonGrain
{
    private readonly Dictionary<string, WorkerSnapshot> _snapshots = new(StringComparer.Ordinal);
    private string _personId = "";
    private PersonView? _view;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _personId = GrainKeys.IdOf(this.GetPrimaryKeyString(), GrainKeys.PersonPrefix);
        return Task.CompletedTask;
    }

    async Task IPersonGrain.UpsertEngagementAsync(WorkerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!string.Equals(snapshot.WorkerProfileId, _personId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Person grain {_personId} was sent a snapshot of person {snapshot.WorkerProfileId}.", nameof(snapshot));
        }

        var engagements = state.State.Engagements;
        if (engagements.TryGetValue(snapshot.ClientId, out var heldWorkerId)
            && string.Equals(heldWorkerId, snapshot.WorkerId, StringComparison.Ordinal))
        {
            Remember(snapshot);
            return;
        }

        if (heldWorkerId is not null)
        {
            // Two workers of one person at one client: the engagement follows the newer snapshot.
            var held = _snapshots.GetValueOrDefault(snapshot.ClientId) ?? await LoadAsync(snapshot.ClientId, heldWorkerId);
            if (held is not null && !snapshot.Stamp.IsNewerThan(held.Stamp))
            {
                return;
            }
        }

        var next = new PersonState { Engagements = new(engagements, StringComparer.Ordinal) { [snapshot.ClientId] = snapshot.WorkerId } };
        await state.ReplaceAsync(next, DeactivateOnIdle);
        _snapshots[snapshot.ClientId] = snapshot;
        _view = null;
    }

    Task<bool> IPersonGrain.RefreshEngagementAsync(WorkerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!state.State.Engagements.TryGetValue(snapshot.ClientId, out var workerId)
            || !string.Equals(workerId, snapshot.WorkerId, StringComparison.Ordinal)
            || !string.Equals(snapshot.WorkerProfileId, _personId, StringComparison.Ordinal))
        {
            return Task.FromResult(false);
        }

        Remember(snapshot);
        return Task.FromResult(true);
    }

    async Task IPersonGrain.RemoveEngagementAsync(string clientId, string workerId)
    {
        var engagements = state.State.Engagements;
        if (!engagements.TryGetValue(clientId, out var heldWorkerId) || !string.Equals(heldWorkerId, workerId, StringComparison.Ordinal))
        {
            return;
        }

        var next = new PersonState { Engagements = new(engagements, StringComparer.Ordinal) };
        next.Engagements.Remove(clientId);
        await state.ReplaceAsync(next, DeactivateOnIdle);
        _snapshots.Remove(clientId);
        _view = null;
    }

    async Task<PersonView?> IPersonGrain.GetAsync()
    {
        if (_view is not null)
        {
            return _view;
        }

        var engagements = state.State.Engagements;
        var missing = engagements.Where(e => !_snapshots.ContainsKey(e.Key)).ToList();
        if (missing.Count > 0)
        {
            var loaded = await Task.WhenAll(missing.Select(e => LoadAsync(e.Key, e.Value)));
            foreach (var snapshot in loaded)
            {
                if (snapshot is not null)
                {
                    Remember(snapshot);
                }
            }
        }

        var current = engagements
            .Select(e => _snapshots.GetValueOrDefault(e.Key))
            .Where(s => s is not null && engagements.TryGetValue(s.ClientId, out var w) && w == s.WorkerId)
            .Select(s => s!);
        _view = PersonViewBuilder.Build(_personId, current);
        return _view;
    }

    private void Remember(WorkerSnapshot snapshot)
    {
        if (_snapshots.SetIfNewer(snapshot.ClientId, snapshot, s => s.Stamp))
        {
            _view = null;
        }
    }

    // Worker reads interleave with the worker's own deliveries, so this cannot deadlock against a worker
    // that is waiting on this person.
    private async Task<WorkerSnapshot?> LoadAsync(string clientId, string workerId)
    {
        var snapshot = await GrainFactory.GetWorkerGrain(clientId, workerId).GetAsync();
        return snapshot is not null && string.Equals(snapshot.WorkerProfileId, _personId, StringComparison.Ordinal)
            ? snapshot
            : null;
    }
}
