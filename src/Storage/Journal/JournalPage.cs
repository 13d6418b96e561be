using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>One page of the journal and the cursor after it (null when nothing follows).</summary>
public sealed record JournalPage(IReadOnlyList<JournalEntry> Deliveries, string? Next)
{
    /// <summary>A page of at most <paramref name="limit"/> from <paramref name="fetched"/>, read with one row more to know whether more follow.</summary>
    public static JournalPage From(List<JournalEntry> fetched, int limit)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        var more = fetched.Count > limit;
        if (more)
        {
            fetched.RemoveAt(fetched.Count - 1);
        }

        return new JournalPage(fetched, more && fetched.Count > 0 ? JournalCursor.Of(fetched[^1]) : null);
    }
}
