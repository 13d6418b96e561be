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
