namespace Listo.Orleans.Grains;

/// <summary>
/// Whether new content differs from the content a grain activation holds (worker, client or person), and which
/// fields changed. The content hash is derived: computed once per activation from the held content, never stored.
/// The change itself is written by the grain with the state it belongs to (its <see cref="Outbox"/>).
/// </summary>
internal sealed class ChangeTracker
{
    private string? _heldHash;
    private bool _hashKnown;

    /// <summary>
    /// Compares <paramref name="next"/> with <paramref name="held"/> (null: nothing held). Returns the change
    /// <paramref name="describe"/> makes of the differing fields, or null when the content is the same, and the
    /// hash to pass to <see cref="Committed"/> once <paramref name="next"/> is durable.
    /// </summary>
    public (EntityChange? Change, string Hash) Compare(string? held, string next, Func<IReadOnlyList<FieldChange>, EntityChange> describe)
    {
        ArgumentNullException.ThrowIfNull(describe);
        var hash = JsonChanges.Hash(next);
        if (string.Equals(hash, HeldHash(held), StringComparison.Ordinal))
        {
            return (null, hash);
        }

        var fields = JsonChanges.Diff(held, next);
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

    /// <summary>Forgets the held hash (the held content is no longer known, e.g. after a failed write).</summary>
    public void Forget() => _hashKnown = false;
}
