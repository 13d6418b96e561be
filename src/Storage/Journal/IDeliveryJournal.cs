using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

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
