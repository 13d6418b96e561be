namespace Listo.Orleans.Grains;

/// <summary>
/// Whether new content differs from the content a grain activation holds (worker, client or person), and which
/// fields changed. Content is compared by fingerprint (<see cref="ContentHash"/>, one streaming pass, no document);
/// the field diff runs only when the fingerprints differ. The held fingerprint is derived: computed once per
/// activation from the held content, never stored. The change itself is written by the grain with the state it
/// belongs to (its <see cref="Outbox"/>).
/// </summary>
internal sealed class ChangeTracker
{
    private UInt128? _held;
    private bool _known;

    /// <summary>
    /// Compares <paramref name="next"/> with <paramref name="held"/> (null: nothing held). Returns the change
    /// <paramref name="describe"/> makes of the differing fields, or null when the content is the same, and the
    /// fingerprint to pass to <see cref="Committed"/> once <paramref name="next"/> is durable.
    /// </summary>
    public (EntityChange? Change, UInt128 Hash) Compare(JsonText? held, JsonText next, Func<IReadOnlyList<FieldChange>, EntityChange> describe)
    {
        ArgumentNullException.ThrowIfNull(describe);
        var nextHash = ContentHash.Of(next.Utf8.Span);
        if (nextHash == HeldHash(held))
        {
            return (null, nextHash);
        }

        var fields = JsonChanges.Diff(held, next);
        return (fields.Count == 0 ? null : describe(fields), nextHash);
    }

    /// <summary>
    /// As the other overload, with the new content's fingerprint known and its text made only for a diff.
    /// <paramref name="held"/> may be null when the held fingerprint is known and <see cref="Differs"/> said it is the same.
    /// </summary>
    public (EntityChange? Change, UInt128 Hash) Compare(string? held, UInt128 nextHash, Func<string> next, Func<IReadOnlyList<FieldChange>, EntityChange> describe)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(describe);

        // The held text is encoded only when its fingerprint is not known yet (once per activation) or for a diff.
        if (!_known)
        {
            _held = held is null ? null : ContentHash.Of(held);
            _known = true;
        }

        if (nextHash == _held)
        {
            return (null, nextHash);
        }

        var fields = JsonChanges.Diff(held is null ? (JsonText?)null : JsonText.FromString(held), JsonText.FromString(next()));
        return (fields.Count == 0 ? null : describe(fields), nextHash);
    }

    private UInt128? HeldHash(JsonText? held)
    {
        if (!_known)
        {
            _held = held is { } text ? ContentHash.Of(text.Utf8.Span) : null;
            _known = true;
        }

        return _held;
    }

    /// <summary>True unless the held content's fingerprint is known and is <paramref name="nextHash"/>.</summary>
    public bool Differs(UInt128 nextHash) => !_known || _held != nextHash;

    /// <summary>The content with fingerprint <paramref name="hash"/> is now the durable one.</summary>
    public void Committed(UInt128 hash)
    {
        _held = hash;
        _known = true;
    }

    /// <summary>Forgets the held fingerprint (the held content is no longer known, e.g. after a failed write).</summary>
    public void Forget() => _known = false;
}
