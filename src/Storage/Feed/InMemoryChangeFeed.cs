using Listo.Orleans.Grains;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Storage;

/// <summary>
/// The feed in memory: embedded mode (one silo, nothing durable) and grain tests. It keeps the newest
/// <see cref="ChangeOptions.InMemoryLimit"/> changes, so memory stays flat however long the process runs; appends
/// are idempotent over what is kept. The content of each entity's newest change is kept per entity, like state.
/// </summary>
public sealed class InMemoryChangeFeed(IOptions<ChangeOptions>? options = null) : IChangeFeed
{
    private readonly Lock _lock = new();
    private readonly int _limit = options?.Value.InMemoryLimit ?? new ChangeOptions().InMemoryLimit;
    private readonly List<EntityChange> _changes = [];
    private readonly HashSet<(string, string, string)> _keys = [];
    private readonly Dictionary<(string, string), string> _contents = [];
    private readonly AppendSignal _appended = new();

    // The feed position of _changes[0]: how many changes were dropped before it. Cursors are positions.
    private long _dropped;

    public Task AppendAsync(EntityChange change, string? content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            if (Add(change) && content is not null)
            {
                _contents[(change.EntityType, change.EntityKey)] = content;
            }
        }

        _appended.Set();
        return Task.CompletedTask;
    }

    public Task<string?> ReadContentAsync(string entityType, string entityKey, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_contents.GetValueOrDefault((entityType, entityKey)));
        }
    }

    public Task<IReadOnlyList<EntityChange>> ReadEntityAsync(string entityType, string entityKey, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var newest = new List<EntityChange>(Math.Min(limit, 32));
            for (var i = _changes.Count - 1; i >= 0 && newest.Count < limit; i--)
            {
                if (_changes[i].EntityType == entityType && _changes[i].EntityKey == entityKey)
                {
                    newest.Add(_changes[i]);
                }
            }

            return Task.FromResult<IReadOnlyList<EntityChange>>(newest);
        }
    }

    private bool Add(EntityChange change)
    {
        if (!_keys.Add((change.EntityType, change.EntityKey, change.EventId)))
        {
            return false;
        }

        _changes.Add(change);
        if (_changes.Count > _limit)
        {
            var drop = Math.Max(1, _limit / 10);
            for (var i = 0; i < drop; i++)
            {
                _keys.Remove((_changes[i].EntityType, _changes[i].EntityKey, _changes[i].EventId));
            }

            _changes.RemoveRange(0, drop);
            _dropped += drop;
        }

        return true;
    }

    public Task<ChangePage> ReadAsync(ChangeQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.After is { Length: > 0 } cursor
            ? long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"'{cursor}' is not a cursor of this feed.")
            : 0;
        var page = new List<FeedChange>();
        long scanned;
        lock (_lock)
        {
            // A cursor older than what is kept resumes at the oldest change kept.
            scanned = Math.Max(after, _dropped);
            for (; scanned < _dropped + _changes.Count && page.Count < query.Limit; scanned++)
            {
                if (query.Narrow(_changes[(int)(scanned - _dropped)]) is { } change)
                {
                    page.Add(new FeedChange(Cursor(scanned + 1), change));
                }
            }

            scanned = Math.Max(scanned, after);
        }

        // Past what was scanned, even when the filters matched nothing there, so a filtered consumer moves on.
        return Task.FromResult(new ChangePage(page, Cursor(scanned)));
    }

    private static string Cursor(long position) => position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public Task WaitAsync(TimeSpan max, CancellationToken cancellationToken = default) => _appended.WaitAsync(max, cancellationToken);
}
