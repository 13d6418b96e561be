namespace Listo.Orleans.Storage;

/// <summary>Ranges of grain keys in the bytewise (<c>COLLATE "C"</c>) key order of <c>listo_grain_state</c>.</summary>
internal static class KeyOrder
{
    /// <summary>
    /// The first key after every key that starts with <paramref name="prefix"/>: the prefix with its last character one
    /// higher, so <c>[prefix, Successor(prefix))</c> holds exactly the keys under it.
    /// </summary>
    public static string Successor(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return string.Concat(prefix.AsSpan(0, prefix.Length - 1), ((char)(prefix[^1] + 1)).ToString());
    }
}
