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
