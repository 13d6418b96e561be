namespace Listo.Orleans.Grains;

/// <summary>
/// What a worker and a client grain share: the held state of Listo snapshots, and the refetch behaviour (a refetched
/// snapshot applies when it orders after what is held; Listo's 404 marks the held snapshot gone). A new snapshot is
/// committed by the derived grain (<see cref="CommitAsync"/>), which knows what follows its write.
/// </summary>
internal abstract class SnapshotGrain<TState, TSnapshot>(IPersistentState<TState> state) : Grain
    where TState : EntityState<TSnapshot>, new()
    where TSnapshot : class
{
    protected IPersistentState<TState> State => state;

    protected ChangeTracker Changes { get; } = new();

    /// <summary>The grain key <paramref name="snapshot"/> belongs to.</summary>
    protected abstract string KeyOf(TSnapshot snapshot);

    protected abstract EventStamp StampOf(TSnapshot snapshot);

    protected abstract JsonText DataOf(TSnapshot snapshot);

    /// <summary><paramref name="snapshot"/> with its gone mark set (an instant) or cleared (null).</summary>
    protected abstract TSnapshot WithGoneAt(TSnapshot snapshot, string? goneAt);

    /// <summary>The change of the fields <paramref name="next"/> changed.</summary>
    protected abstract EntityChange Change(TSnapshot next, IReadOnlyList<FieldChange> fields);

    /// <summary>Makes <paramref name="next"/> the durable snapshot with its change and receipt, and runs what follows it.</summary>
    protected abstract Task CommitAsync(TSnapshot next, List<string> recentEventIds, EntityChange? change, UInt128 hash, JournalEntry? receipt);

    /// <summary>Called once <paramref name="snapshot"/> is durable by a write that changed no content.</summary>
    protected virtual void Kept(TSnapshot snapshot)
    {
    }

    /// <summary>The change <paramref name="next"/> makes to the held content, and its fingerprint.</summary>
    protected (EntityChange? Change, UInt128 Hash) Compare(TSnapshot next)
        => Changes.Compare(state.State.Snapshot is { } held ? DataOf(held) : (JsonText?)null, DataOf(next), fields => Change(next, fields));

    /// <summary>Writes a new state of <paramref name="snapshot"/> with the rows that ride along; on failure the grain deactivates.</summary>
    protected Task WriteAsync(TSnapshot snapshot, List<string> recentEventIds, EventStamp? refetched, Outbox? rows)
        => state.ReplaceAsync(new TState { Snapshot = snapshot, RecentEventIds = recentEventIds, Refetched = refetched }, rows, Changes, DeactivateOnIdle);

    protected async Task<RefreshOutcome> RefreshAsync(TSnapshot fetched)
    {
        CheckKey(fetched);
        var held = state.State;
        if (!DeliveryRule.RefetchIsNewer(held.Held, StampOf(fetched)))
        {
            // A delivery newer than the refetch was applied while it was in flight: it wins.
            return RefreshOutcome.Unchanged;
        }

        var (change, hash) = Compare(fetched);
        if (change is null && held.Snapshot is { } same)
        {
            // Listo holds what we hold: the snapshot keeps its event, and older deliveries now lose to the refetch.
            var kept = WithGoneAt(same, null);
            await WriteAsync(kept, held.RecentEventIds, StampOf(fetched), rows: null);
            Kept(kept);
            return RefreshOutcome.Unchanged;
        }

        // The refetch's event id is not remembered: only Listo's ids can come again as duplicates.
        await CommitAsync(fetched, held.RecentEventIds, change, hash, receipt: null);
        return RefreshOutcome.Applied;
    }

    protected async Task<RefreshOutcome> MarkGoneAsync(EventStamp refetched)
    {
        var held = state.State;
        if (held.Snapshot is { } snapshot && DeliveryRule.RefetchIsNewer(held.Held, refetched))
        {
            var marked = WithGoneAt(snapshot, refetched.OccurredAtText);
            await WriteAsync(marked, held.RecentEventIds, refetched, rows: null);
            Kept(marked);
        }

        return RefreshOutcome.Gone;
    }

    protected void CheckKey(TSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var key = this.GetPrimaryKeyString();
        var of = KeyOf(snapshot);
        if (!string.Equals(key, of, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Grain {key} was sent a snapshot of {of}.", nameof(snapshot));
        }
    }
}
