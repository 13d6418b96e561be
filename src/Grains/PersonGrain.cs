using Microsoft.Extensions.Options;

namespace Listo.Orleans.Grains;

/// <summary>
/// One person (<c>workerProfileId</c>). Stores only which worker holds each engagement; the snapshots are derived
/// from the worker grains (pushed by them, or read back after activation), so a steady-state update writes
/// nothing here. A profile change is appended to the feed with the profile after it, and the next change is
/// computed from that: the feed row is the one durable record of both, with no grain write.
/// </summary>
internal sealed class PersonGrain(
    [PersistentState(StateNames.Person, StateNames.Storage)] IPersistentState<PersonState> state,
    IChangeFeed feed,
    IOptions<ChangeOptions> changeOptions)
    : Grain, IPersonGrain
{
    private readonly ChangeTracker _changes = new(feed, changeOptions.Value.HistoryPerEntity);

    // The profile of the newest person change (null: none yet), read from the feed once per activation.
    private string? _profile;
    private bool _profileLoaded;

    // True while a profile change is being appended; refreshes take the durable path meanwhile, so none decides
    // against a profile that is about to be replaced.
    private bool _publishing;

    // The profile JSON of the last snapshot asked for: a refresh that finds the profile changed hands the same
    // snapshot to the durable path right after, which then does not parse it again.
    private (string EventId, string Json) _lastProfile = ("", "");
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
                return;
            }

            _snapshots.Remove(snapshot.ClientId);
        }

        var joins = heldWorkerId is null || !string.Equals(heldWorkerId, snapshot.WorkerId, StringComparison.Ordinal);
        var nextEngagements = joins ? new Dictionary<string, string>(engagements, StringComparer.Ordinal) { [snapshot.ClientId] = snapshot.WorkerId } : engagements;
        Remember(snapshot);
        if (joins)
        {
            await state.ReplaceAsync(new PersonState { Engagements = nextEngagements }, DeactivateOnIdle);
            _view = null;
        }

        await LoadMissingAsync(nextEngagements);
        await PublishProfileChangeAsync(nextEngagements, snapshot);
    }

    /// <summary>
    /// Appends the change of the profile (from the newest snapshot of all engagements) since the last one, if any.
    /// Idempotent: after a crash between the worker's write and this append, the retried delivery computes the
    /// same change (the feed still holds the old profile); after the append, it computes none.
    /// </summary>
    private async Task PublishProfileChangeAsync(Dictionary<string, string> engagements, WorkerSnapshot fallback)
    {
        if (!_profileLoaded)
        {
            _profile = await feed.ReadContentAsync(EntityTypes.Person, GrainKeys.Person(_personId));
            _profileLoaded = true;
        }

        var newest = PersonViewBuilder.Newest(engagements.Keys.Select(c => _snapshots.GetValueOrDefault(c)).OfType<WorkerSnapshot>()) ?? fallback;
        var profile = ProfileOf(newest);
        var (change, hash) = _changes.Compare(_profile, profile, fields => new EntityChange(
            EntityTypes.Person, GrainKeys.Person(_personId), null, null, _personId, newest.Stamp.EventId, newest.Stamp.OccurredAtText, fields));
        if (change is null)
        {
            return;
        }

        _publishing = true;
        try
        {
            await feed.AppendAsync(change, profile);
        }
        catch
        {
            // Whether it landed is unknown: the next activation reads the profile back from the feed.
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            _publishing = false;
        }

        _profile = profile;
        _changes.Committed(hash);
    }

    Task<bool> IPersonGrain.RefreshEngagementAsync(WorkerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var engagements = state.State.Engagements;
        if (!engagements.TryGetValue(snapshot.ClientId, out var workerId)
            || !string.Equals(workerId, snapshot.WorkerId, StringComparison.Ordinal)
            || !string.Equals(snapshot.WorkerProfileId, _personId, StringComparison.Ordinal)
            || !_profileLoaded
            || _publishing
            || engagements.Keys.Any(c => !_snapshots.ContainsKey(c)))
        {
            return Task.FromResult(false);
        }

        // A snapshot that becomes the profile's source and changes it needs a write: the durable path does that.
        var others = engagements.Keys.Where(c => c != snapshot.ClientId).Select(c => _snapshots[c]);
        if (ReferenceEquals(PersonViewBuilder.Newest(others.Append(snapshot)), snapshot)
            && _changes.Differs(_profile, ProfileOf(snapshot)))
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

    private string ProfileOf(WorkerSnapshot snapshot)
    {
        if (!string.Equals(_lastProfile.EventId, snapshot.Stamp.EventId, StringComparison.Ordinal))
        {
            _lastProfile = (snapshot.Stamp.EventId, PersonViewBuilder.ProfileJson(snapshot));
        }

        return _lastProfile.Json;
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
