using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>Journal entries of durable mode: each joins the storage engine's next flush.</summary>
public sealed class EngineDeliveryRecorder(StorageEngine engine) : IDeliveryRecorder
{
    public Task RecordAsync(JournalEntry entry) => engine.RecordAsync(entry);
}
