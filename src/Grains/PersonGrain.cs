namespace Listo.Orleans.Grains;

/// <summary>
/// One person (<c>workerProfileId</c>). Stores only which worker holds each engagement; the snapshots are derived
/// from the worker grains (pushed by them, or read back after activation), so a steady-state update writes
/// nothing here. A profile change is appended to the feed with the profile after it, and the next change is
/// computed from that: the feed row is the one durable record of both, with no grain write.
/// </summary>
internal sealed class PersonGrain(
    [PersistentState(StateNames.Person, StateNames.Storage)] IPersistentState<PersonState> state,
    IChangeFeed feed)
    : Grain, IPersonGrain
{
    private readonly ChangeTracker _changes = new();

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
        await LoadMissingAsync(nextEngagements);
        var (change, profile, hash) = await ProfileChangeAsync(nextEngagements.Keys, snapshot);
        if (joins)
        {
            // The membership and the profile change it brings commit in one write.
            await WriteProfileAsync(change, profile, hash, () => state.ReplaceAsync(
                new PersonState { Engagements = nextEngagements, Outbox = new Outbox(change, profile, null) },
                DeactivateOnIdle));
            _view = null;
        }
        else if (change is not null)
        {
            await WriteProfileAsync(change, profile, hash, () => feed.AppendAsync(change, profile));
        }
    }

    /// <summary>
    /// The change of the profile (from the newest snapshot of <paramref name="clients"/>' engagements) since the
    /// last one, if any, with the profile it leads to. Idempotent: after a crash between the worker's write and
    /// the person's, the retried delivery computes the same change (the feed still holds the old profile); after
    /// it, none.
    /// </summary>
    private async Task<(EntityChange? Change, string Profile, string Hash)> ProfileChangeAsync(IEnumerable<string> clients, WorkerSnapshot fallback)
    {
        if (!_profileLoaded)
        {
            _profile = await feed.ReadContentAsync(EntityTypes.Person, GrainKeys.Person(_personId));
            _profileLoaded = true;
        }

        var newest = PersonViewBuilder.Newest(clients.Select(c => _snapshots.GetValueOrDefault(c)).OfType<WorkerSnapshot>()) ?? fallback;
        var profile = ProfileOf(newest);
        var (change, hash) = _changes.Compare(_profile, profile, fields => new EntityChange(
            EntityTypes.Person, GrainKeys.Person(_personId), null, null, _personId, newest.Stamp.EventId, newest.Stamp.OccurredAtText, fields));
        return (change, profile, hash);
    }

    /// <summary>Runs the write that records a profile change (or none), and makes its profile the held one.</summary>
    private async Task WriteProfileAsync(EntityChange? change, string profile, string hash, Func<Task> write)
    {
        _publishing = change is not null;
        try
        {
            await write();
        }
        catch
        {
            // Whether it landed is unknown: the next activation reads the profile back from the feed.
            _changes.Forget();
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            _publishing = false;
        }

        if (change is not null)
        {
            _profile = profile;
            _changes.Committed(hash);
        }
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
