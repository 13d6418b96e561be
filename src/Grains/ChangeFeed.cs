using Microsoft.Extensions.Options;
using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>
/// The durable, ordered feed of every <see cref="EntityChange"/>. Appends are idempotent by entity and event id,
/// so a grain may append again whatever it is unsure of (after a crash, a failed append, a retried delivery)
/// and each change still appears exactly once.
/// </summary>
public interface IChangeFeed
{
    /// <summary>
    /// Appends one change, with the entity's content after it (JSON) for an entity whose next change is computed
    /// from the feed instead of from stored state (a person); idempotent like the other append.
    /// </summary>
    Task AppendAsync(EntityChange change, string? content, CancellationToken cancellationToken = default);

    /// <summary>The content appended with the entity's newest change, or null when it has none.</summary>
    Task<string?> ReadContentAsync(string entityType, string entityKey, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="limit"/> changes of one entity, newest first (its history).</summary>
    Task<IReadOnlyList<EntityChange>> ReadEntityAsync(string entityType, string entityKey, int limit, CancellationToken cancellationToken = default);

    /// <summary>Changes after <see cref="ChangeQuery.After"/>, oldest first. A cursor, once returned, is never passed by a later append.</summary>
    Task<ChangePage> ReadAsync(ChangeQuery query, CancellationToken cancellationToken = default);

    /// <summary>Completes when a change may have arrived since the last read (an append here, or a poll interval), or after <paramref name="max"/>.</summary>
    Task WaitAsync(TimeSpan max, CancellationToken cancellationToken = default);
}

/// <summary>A read of the feed. <see cref="PathPrefix"/> matches a path, or its children (<c>address</c> matches <c>address.city</c>).</summary>
public sealed record ChangeQuery(string? After, int Limit, string? ClientId = null, string? EntityType = null, string? PathPrefix = null)
{
    /// <summary>True when <paramref name="path"/> is <see cref="PathPrefix"/> or below it.</summary>
    public bool MatchesPath(string path)
        => PathPrefix is not { Length: > 0 } prefix
            || (path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] is '.' or '['));

    /// <summary>The change narrowed to the fields the query asks for, or null when none match.</summary>
    public EntityChange? Narrow(EntityChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if ((ClientId is not null && change.ClientId != ClientId) || (EntityType is not null && change.EntityType != EntityType))
        {
            return null;
        }

        if (PathPrefix is not { Length: > 0 })
        {
            return change;
        }

        var fields = change.Fields.Where(f => MatchesPath(f.Path)).ToList();
        return fields.Count == 0 ? null : change with { Fields = fields };
    }
}

/// <summary>One change with the cursor that resumes after it.</summary>
public sealed record FeedChange(string Cursor, EntityChange Change);

/// <summary>A page of the feed and the cursor to pass next (the same one when nothing new arrived).</summary>
public sealed record ChangePage(IReadOnlyList<FeedChange> Changes, string Next);

/// <summary>Per-entity change history, bound from the <c>Changes</c> configuration section.</summary>
public sealed class ChangeOptions
{
    public const string Section = "Changes";

    /// <summary>How many recent changes <c>GET …/workers/{workerId}/changes</c> returns (read from the feed).</summary>
    public int HistoryPerEntity { get; set; } = 20;

    /// <summary>
    /// Embedded mode only: how many of the newest changes the in-memory feed keeps (at most; the oldest tenth is
    /// dropped at once when it is full). A cursor older than what is kept resumes at the oldest change kept.
    /// </summary>
    public int InMemoryLimit { get; set; } = 10_000;
}

/// <summary>Validates <see cref="ChangeOptions"/> at start: no silent clamping of a bad value.</summary>
public sealed class ChangeOptionsValidator : IValidateOptions<ChangeOptions>
{
    public ValidateOptionsResult Validate(string? name, ChangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.HistoryPerEntity is < 1 or > 1000 ? ValidateOptionsResult.Fail("Changes:HistoryPerEntity must be from 1 to 1000.")
            : options.InMemoryLimit < 10 ? ValidateOptionsResult.Fail("Changes:InMemoryLimit must be at least 10.")
            : ValidateOptionsResult.Success;
    }
}

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

/// <summary>Wakes every waiter once something was appended; a waiter gives up after its own time.</summary>
public sealed class AppendSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public async Task WaitAsync(TimeSpan max, CancellationToken cancellationToken)
    {
        var appended = Volatile.Read(ref _next).Task;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(max);
        try
        {
            await appended.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // the time ran out: the caller reads again
        }
    }
}

/// <summary>System.Text.Json metadata for the change shapes stored and served.</summary>
[JsonSerializable(typeof(IReadOnlyList<FieldChange>))]
[JsonSerializable(typeof(EntityChange))]
public sealed partial class ChangeJsonContext : JsonSerializerContext;
