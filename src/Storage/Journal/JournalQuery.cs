using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

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
