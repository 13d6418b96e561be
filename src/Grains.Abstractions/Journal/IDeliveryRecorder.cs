namespace Listo.Orleans.Grains;

/// <summary>
/// Where journal entries are written from: the gateway (ignored, quarantined, failed) and the grains (the outcome
/// of a delivery whose own state did not change). Durable mode: the storage engine's next flush; embedded mode:
/// memory. Entries that go with a state write travel in that write's <see cref="Outbox"/> instead.
/// </summary>
public interface IDeliveryRecorder
{
    /// <summary>Records <paramref name="entry"/>; returns once it is durable.</summary>
    Task RecordAsync(JournalEntry entry);
}
