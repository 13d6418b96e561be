namespace Listo.Orleans.Grains;

/// <summary>
/// The change bookkeeping of one grain activation (worker, client or person): whether new content differs from
/// the held content, the bounded history written with the state, and whether the feed is known to hold that
/// history.
/// </summary>
/// <remarks>
/// The content hash is derived (computed once per activation from the held content, never stored). Whether
/// the feed is in sync is memory only: after an activation or a failed append the next publish appends the
/// whole history again, and the feed ignores the changes it has, so each change reaches it exactly once.
/// </remarks>
internal sealed class ChangeTracker(IChangeFeed feed, int historyPerEntity)
{
    private readonly int _history = Math.Max(1, historyPerEntity);
    private string? _heldHash;
    private bool _hashKnown;
    private bool _feedInSync;

    /// <summary>
    /// Compares <paramref name="next"/> with <paramref name="held"/> (null: nothing held). Returns the change
    /// <paramref name="describe"/> makes of the differing fields, or null when the content is the same, and the
    /// hash to pass to <see cref="Committed"/> once <paramref name="next"/> is durable.
    /// </summary>
    public (EntityChange? Change, string Hash) Compare(string? held, string next, Func<IReadOnlyList<FieldChange>, EntityChange> describe)
    {
        ArgumentNullException.ThrowIfNull(describe);
        using var parsed = System.Text.Json.JsonDocument.Parse(next);
        var hash = JsonChanges.Hash(parsed.RootElement);
        if (string.Equals(hash, HeldHash(held), StringComparison.Ordinal))
        {
            return (null, hash);
        }

        var fields = JsonChanges.Diff(held, parsed.RootElement);
        return (fields.Count == 0 ? null : describe(fields), hash);
    }

    /// <summary>True when <paramref name="next"/> has other content than the held content.</summary>
    public bool Differs(string? held, string next) => !string.Equals(JsonChanges.Hash(next), HeldHash(held), StringComparison.Ordinal);

    private string? HeldHash(string? held)
    {
        if (!_hashKnown)
        {
            _heldHash = held is null ? null : JsonChanges.Hash(held);
            _hashKnown = true;
        }

        return _heldHash;
    }

    /// <summary>The content with <paramref name="hash"/> is now the durable one.</summary>
    public void Committed(string hash)
    {
        _heldHash = hash;
        _hashKnown = true;
    }

    /// <summary>The history to write: <paramref name="change"/> first, then the newest of <paramref name="held"/>.</summary>
    public List<EntityChange> Record(List<EntityChange> held, EntityChange? change)
        => change is null ? held : [change, .. held.Take(_history - 1)];

    /// <summary>
    /// Makes sure the feed holds <paramref name="durableHistory"/> (newest first): only <paramref name="change"/>
    /// when the feed is known to hold the rest, the whole history otherwise. Call once the history is durable.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<EntityChange> durableHistory, EntityChange? change)
    {
        ArgumentNullException.ThrowIfNull(durableHistory);
        IReadOnlyList<EntityChange> unpublished = _feedInSync ? (change is null ? [] : [change]) : [.. durableHistory.Reverse()];
        if (unpublished.Count > 0)
        {
            _feedInSync = false;
            await feed.AppendAsync(unpublished);
        }

        _feedInSync = true;
    }
}
