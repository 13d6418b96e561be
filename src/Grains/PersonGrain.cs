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

    // The profile fingerprint of the last snapshot asked for (a fan-out brings one snapshot per client).
    private (string EventId, UInt128 Hash) _lastProfile = ("", 0);
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
                new PersonState { Engagements = nextEngagements }, new Outbox(change, profile, null), DeactivateOnIdle));
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
    private async Task<(EntityChange? Change, string Profile, UInt128 Hash)> ProfileChangeAsync(IEnumerable<string> clients, WorkerSnapshot fallback)
    {
        var newest = PersonViewBuilder.Newest(clients.Select(c => _snapshots.GetValueOrDefault(c)).OfType<WorkerSnapshot>()) ?? fallback;
        var nextHash = ProfileHash(newest);
        string? held = null;
        if (_changes.Differs(nextHash))
        {
            // The activation keeps the held profile's fingerprint, not its text: the text is read back from the feed
            // only to compute a change, or once per activation for its fingerprint. A profile change commits with the
            // person's first state write or after it, never before: a person with no stored state has no change in
            // the feed, and its first activation costs no read of the feed.
            held = state.RecordExists ? await feed.ReadContentAsync(EntityTypes.Person, GrainKeys.Person(_personId)) : null;
        }

        string? profile = null;
        var (change, hash) = _changes.Compare(held, nextHash, () => profile ??= ProfileOf(newest), fields => new EntityChange(
            EntityTypes.Person, GrainKeys.Person(_personId), null, null, _personId, newest.Stamp.EventId, newest.Stamp.OccurredAtText, fields));
        return (change, profile ?? "", hash);
    }

    /// <summary>Runs the write that records a profile change (or none), and makes its profile's fingerprint the held one.</summary>
    private async Task WriteProfileAsync(EntityChange? change, string profile, UInt128 hash, Func<Task> write)
    {
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

        if (change is not null)
        {
            _changes.Committed(hash);
        }
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
        await state.ReplaceAsync(next, rows: null, DeactivateOnIdle);
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

    private static string ProfileOf(WorkerSnapshot snapshot) => PersonViewBuilder.ProfileJson(snapshot);

    /// <summary>The profile's fingerprint, from the snapshot's profile fields, remembered for the last snapshot asked.</summary>
    private UInt128 ProfileHash(WorkerSnapshot snapshot)
    {
        if (!string.Equals(_lastProfile.EventId, snapshot.Stamp.EventId, StringComparison.Ordinal))
        {
            _lastProfile = (snapshot.Stamp.EventId, PersonViewBuilder.ProfileHash(snapshot));
        }

        return _lastProfile.Hash;
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
