using System.Diagnostics.Metrics;
using System.Text.Json;
using Listo.Orleans.Grains;
using Npgsql;
using global::Orleans.Storage;
using NpgsqlTypes;

namespace Listo.Orleans.Storage;

/// <summary>
/// The rows of one flush, sorted by key before they are sent (state rows by state name and grain key, feed rows by
/// entity and event, journal rows by id), so every silo takes row locks in the same order.
/// </summary>
internal sealed class EngineFlush(string serviceId)
{
    private readonly List<PendingWrite> _writes = [];
    private readonly HashSet<(string, string)> _stateKeys = [];
    private readonly HashSet<string> _journalIds = new(StringComparer.Ordinal);
    private readonly List<PendingWrite> _states = [];
    private readonly List<(int Owner, PendingWrite Write)> _feed = [];
    private readonly List<(int Owner, PendingWrite Write)> _journal = [];

    public int Count => _writes.Count;

    public int Rows { get; private set; }

    public long Bytes { get; private set; }

    public int StateCount => _states.Count;

    public int JournalCount => _journal.Count;

    public int FeedCount => _feed.Count;

    /// <summary>When the oldest write of this flush was queued: writes are added oldest first (carried ones before new).</summary>
    public long OldestQueuedAt => _writes.Count == 0 ? 0 : _writes[0].QueuedAt;

    public void Clear()
    {
        _writes.Clear();
        _stateKeys.Clear();
        _journalIds.Clear();
        _states.Clear();
        _feed.Clear();
        _journal.Clear();
        (Rows, Bytes) = (0, 0);
    }

    /// <summary>Adds <paramref name="write"/> unless its state or journal row is already in this flush.</summary>
    public bool TryAdd(PendingWrite write)
    {
        if ((write.State is { } state && _stateKeys.Contains((state.StateName, state.GrainKey)))
            || (write.Receipt is { } receipt && _journalIds.Contains(receipt.Id)))
        {
            return false;
        }

        if (write.State is { } s)
        {
            _stateKeys.Add((s.StateName, s.GrainKey));
        }

        if (write.Receipt is { } r)
        {
            _journalIds.Add(r.Id);
        }

        _writes.Add(write);
        Rows += write.Rows;
        Bytes += write.Bytes;
        return true;
    }

    public NpgsqlCommand Build(NpgsqlConnection connection)
    {
        _states.AddRange(_writes.Where(w => w.State is not null)
            .OrderBy(w => w.State!.StateName, StringComparer.Ordinal).ThenBy(w => w.State!.GrainKey, StringComparer.Ordinal));

        // A state row's ord is its position + 1; feed and journal rows name the state row they belong to (0: none).
        var owners = new Dictionary<PendingWrite, int>(_states.Count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < _states.Count; i++)
        {
            owners[_states[i]] = i + 1;
        }

        foreach (var write in _writes)
        {
            var owner = owners.GetValueOrDefault(write);
            if (write.Change is not null)
            {
                _feed.Add((owner, write));
            }

            if (write.Receipt is not null)
            {
                _journal.Add((owner, write));
            }
        }

        _feed.Sort((a, b) => CompareChanges(a.Write.Change!, b.Write.Change!));
        _journal.Sort((a, b) => string.CompareOrdinal(a.Write.Receipt!.Id, b.Write.Receipt!.Id));

        var command = new NpgsqlCommand(EngineSql.Flush, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.AddColumn(NpgsqlDbType.Integer, _states, (_, i) => i + 1);
        command.AddColumn(NpgsqlDbType.Text, _states, w => w.State!.StateName);
        command.AddColumn(NpgsqlDbType.Text, _states, w => w.State!.GrainKey);
        command.AddColumn(NpgsqlDbType.Bytea, _states, w => w.State!.Payload);
        command.AddColumn(NpgsqlDbType.Integer, _states, w => w.State!.ExpectedVersion);
        command.AddColumn(NpgsqlDbType.Boolean, _states, w => w.State!.Payload is null);

        command.AddColumn(NpgsqlDbType.Integer, _feed, f => f.Owner);
        command.AddColumn(NpgsqlDbType.Text, _feed, f => f.Write.Change!.EntityType);
        command.AddColumn(NpgsqlDbType.Text, _feed, f => f.Write.Change!.EntityKey);
        command.AddColumn(NpgsqlDbType.Text, _feed, f => f.Write.Change!.EventId);
        command.AddColumn(NpgsqlDbType.Text, _feed, f => f.Write.Change!.ClientId);
        command.AddColumn(NpgsqlDbType.Text, _feed, f => f.Write.Change!.WorkerId);
        command.AddColumn(NpgsqlDbType.Text, _feed, f => f.Write.Change!.WorkerProfileId);
        command.AddColumn(NpgsqlDbType.Text, _feed, f => f.Write.Change!.OccurredAt);
        command.AddColumn(NpgsqlDbType.Text, _feed, f => JsonSerializer.Serialize(f.Write.Change!.Fields, ChangeJsonContext.Default.IReadOnlyListFieldChange));
        command.AddColumn(NpgsqlDbType.Text, _feed, f => f.Write.Content);

        command.AddColumn(NpgsqlDbType.Integer, _journal, j => j.Owner);
        command.AddColumn(NpgsqlDbType.Text, _journal, j => j.Write.Receipt!.Id);
        command.AddColumn(NpgsqlDbType.Text, _journal, j => j.Write.Receipt!.Type);
        command.AddColumn(NpgsqlDbType.Text, _journal, j => j.Write.Receipt!.OccurredAt);
        command.AddColumn(NpgsqlDbType.TimestampTz, _journal, j => j.Write.Receipt!.ReceivedAt.UtcDateTime);
        command.AddColumn(NpgsqlDbType.TimestampTz, _journal, j => j.Write.Receipt!.LastReceivedAt.UtcDateTime);
        command.AddColumn(NpgsqlDbType.Integer, _journal, j => j.Write.Receipt!.Attempts);
        command.AddColumn(NpgsqlDbType.Text, _journal, j => j.Write.Receipt!.Outcome);
        command.AddColumn(NpgsqlDbType.Text, _journal, j => j.Write.Receipt!.Detail);
        command.AddColumn(NpgsqlDbType.Bytea, _journal, j => WholeArray.Of(j.Write.Receipt!.Body));
        command.AddColumn(NpgsqlDbType.Text, _states, w => w.State!.Listing);
        return command;
    }

    /// <summary>Completes every caller: a state row missing from <paramref name="written"/> is a version conflict.</summary>
    public void Complete(Dictionary<int, int> written, Counter<long> conflicts)
    {
        var ords = new Dictionary<PendingWrite, int>(_states.Count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < _states.Count; i++)
        {
            ords[_states[i]] = i + 1;
        }

        foreach (var write in _writes)
        {
            if (write.State is not { } state)
            {
                write.Done.SetResult(0);
            }
            else if (written.TryGetValue(ords[write], out var version))
            {
                write.Done.SetResult(version);
            }
            else
            {
                conflicts.Add(1);
                var expected = state.ExpectedVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture);
                write.Done.SetException(new InconsistentStateException(
                    $"Version conflict writing {state.StateName} of {state.GrainKey}: the stored version is no longer {expected ?? "absent"}; nothing of this grain was written.",
                    "unknown",
                    expected ?? "none"));
            }
        }
    }

    public void Fail(Exception failure)
    {
        foreach (var write in _writes)
        {
            write.Done.TrySetException(failure);
        }
    }

    private static int CompareChanges(EntityChange a, EntityChange b)
    {
        var byType = string.CompareOrdinal(a.EntityType, b.EntityType);
        if (byType != 0)
        {
            return byType;
        }

        var byKey = string.CompareOrdinal(a.EntityKey, b.EntityKey);
        return byKey != 0 ? byKey : string.CompareOrdinal(a.EventId, b.EventId);
    }
}
