using Listo.Orleans.Grains;

namespace Listo.Orleans.Deliveries;

/// <summary>A page request: filters, then oldest first (by received time) after <see cref="After"/>.</summary>
public sealed record JournalQuery(
    string? Outcome = null,
    string? Type = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 100,
    string? After = null)
{
    /// <summary>Whether the page carries each raw body (replay) or not (listings).</summary>
    public bool IncludeBody { get; init; }

    public bool Matches(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (Outcome is null || entry.Outcome == Outcome)
            && (Type is null || entry.Type == Type)
            && (From is null || entry.ReceivedAt >= From)
            && (To is null || entry.ReceivedAt < To);
    }
}

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

/// <summary>
/// Where authentic deliveries are kept, read and purged. Deliveries are written through <see cref="IDeliveryRecorder"/>
/// (the storage engine's flushes in durable mode); <see cref="RecordAsync"/> writes a batch directly.
/// </summary>
public interface IDeliveryJournal
{
    /// <summary>
    /// Records a batch in one transaction: a new id is inserted, a known one counts another attempt and keeps
    /// the outcome <see cref="JournalOutcomes.Supersedes"/> chooses. Returns once the batch is durable.
    /// </summary>
    Task RecordAsync(IReadOnlyList<JournalEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Sets the outcomes a replay produced, by the same rule; attempts and times stay as received.</summary>
    Task ReplayedAsync(IReadOnlyList<(string Id, string Outcome, string? Detail)> outcomes, CancellationToken cancellationToken = default);

    Task<JournalPage> ListAsync(JournalQuery query, CancellationToken cancellationToken = default);

    /// <summary>One delivery with its raw body, or null.</summary>
    Task<JournalEntry?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes deliveries received before <paramref name="before"/>; returns how many.</summary>
    Task<long> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}
