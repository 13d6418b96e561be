namespace Listo.Orleans.Grains;

/// <summary>
/// Rows that commit with a grain's state write: the change the new state causes (with the content the next change
/// is computed from, for a person), the journal entry of the delivery that caused it, and, for a worker, the line
/// a client's worker list shows for it (<see cref="IWorkerDirectory"/>). The storage engine writes them in the same
/// transaction as the state; the other storages write them right after it.
/// </summary>
public sealed record Outbox(EntityChange? Change, string? Content, JournalEntry? Receipt, WorkerSummary? Listing = null)
{
    public bool IsEmpty => Change is null && Receipt is null && Listing is null;
}
