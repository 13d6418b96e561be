using Microsoft.Extensions.Options;

namespace Listo.Orleans.Grains;

/// <summary>
/// One person (<c>workerProfileId</c>). Stores which worker holds each engagement and the profile of its last
/// change; the snapshots are derived from the worker grains (pushed by them, or read back after activation), so
/// an update that leaves the profile as it was writes nothing here.
/// </summary>
internal sealed class PersonGrain(
    [PersistentState(StateNames.Person, StateNames.Storage)] IPersistentState<PersonState> state,
    IChangeFeed feed,
    IOptions<ChangeOptions> changeOptions)
    : Grain, IPersonGrain
{
    private readonly ChangeTracker _changes = new(feed, changeOptions.Value.HistoryPerEntity);
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

        var held = state.State;
        var engagements = held.Engagements;
        if (engagements.TryGetValue(snapshot.ClientId, out var heldWorkerId)
            && !string.Equals(heldWorkerId, snapshot.WorkerId, StringComparison.Ordinal))
        {
            // Two workers of one person at one client: the engagement follows the newer snapshot.
            var current = _snapshots.GetValueOrDefault(snapshot.ClientId) ?? await LoadAsync(snapshot.ClientId, heldWorkerId);
            if (current is not null && !snapshot.Stamp.IsNewerThan(current.Stamp))
            {
                await _changes.PublishAsync(held.Changes, null);
                return;
            }

            _snapshots.Remove(snapshot.ClientId);
        }

        var joins = heldWorkerId is null || !string.Equals(heldWorkerId, snapshot.WorkerId, StringComparison.Ordinal);
        var nextEngagements = joins ? new Dictionary<string, string>(engagements, StringComparer.Ordinal) { [snapshot.ClientId] = snapshot.WorkerId } : engagements;
        Remember(snapshot);
        await LoadMissingAsync(nextEngagements);

        // The profile follows the newest snapshot of all engagements; a change is its difference from the last one.
        var newest = PersonViewBuilder.Newest(nextEngagements.Keys.Select(c => _snapshots.GetValueOrDefault(c)).OfType<WorkerSnapshot>()) ?? snapshot;
        var profile = PersonViewBuilder.ProfileJson(newest);
        var (change, hash) = _changes.Compare(held.Profile, profile, fields => new EntityChange(
            EntityTypes.Person, GrainKeys.Person(_personId), null, null, _personId, newest.Stamp.EventId, newest.Stamp.OccurredAtText, fields));
        if (joins || change is not null)
        {
            await state.ReplaceAsync(
                new PersonState
                {
                    Engagements = nextEngagements,
                    Profile = change is null ? held.Profile : profile,
                    Changes = _changes.Record(held.Changes, change),
                },
                DeactivateOnIdle);
            if (change is not null)
            {
                _changes.Committed(hash);
            }

            _view = null;
        }

        await _changes.PublishAsync(state.State.Changes, change);
    }

    Task<bool> IPersonGrain.RefreshEngagementAsync(WorkerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var engagements = state.State.Engagements;
        if (!engagements.TryGetValue(snapshot.ClientId, out var workerId)
            || !string.Equals(workerId, snapshot.WorkerId, StringComparison.Ordinal)
            || !string.Equals(snapshot.WorkerProfileId, _personId, StringComparison.Ordinal)
            || engagements.Keys.Any(c => !_snapshots.ContainsKey(c)))
        {
            return Task.FromResult(false);
        }

        // A snapshot that becomes the profile's source and changes it needs a write: the durable path does that.
        var others = engagements.Keys.Where(c => c != snapshot.ClientId).Select(c => _snapshots[c]);
        if (ReferenceEquals(PersonViewBuilder.Newest(others.Append(snapshot)), snapshot)
            && _changes.Differs(state.State.Profile, PersonViewBuilder.ProfileJson(snapshot)))
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
        await LoadMissingAsync(engagements);
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

    private async Task LoadMissingAsync(Dictionary<string, string> engagements)
    {
        var missing = engagements.Where(e => !_snapshots.ContainsKey(e.Key)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        foreach (var snapshot in await Task.WhenAll(missing.Select(e => LoadAsync(e.Key, e.Value))))
        {
            if (snapshot is not null)
            {
                Remember(snapshot);
            }
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
