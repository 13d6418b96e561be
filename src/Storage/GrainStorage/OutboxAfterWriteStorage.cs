using Listo.Orleans.Grains;
using global::Orleans.Storage;

namespace Listo.Orleans.Storage;

/// <summary>
/// Gives a grain storage that knows nothing of outboxes (Orleans' ADO.NET provider, the embedded memory storage)
/// the same contract as the engine: the rows of a state's <see cref="Outbox"/> are written once the state is. They
/// are written right after it, not with it: a crash between the two leaves that change out of the feed, the journal
/// entry unwritten and the worker's line old (the delivery is not acknowledged, and Listo's retry journals it as a
/// duplicate and drives the rest again). The engine has no such window.
/// </summary>
public sealed class OutboxAfterWriteStorage(IGrainStorage inner, IChangeFeed feed, IDeliveryRecorder journal, IWorkerListings listings) : IOutboxGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var outbox = (grainState.State as IHasOutbox)?.TakeOutbox();
        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (outbox is null)
        {
            return;
        }

        await Task.WhenAll(
            outbox.Change is { } change ? feed.AppendAsync(change, outbox.Content) : Task.CompletedTask,
            outbox.Receipt is { } receipt ? journal.RecordAsync(receipt) : Task.CompletedTask,
            outbox.Listing is { } listing ? listings.PutAsync(stateName, GrainRows.Key(grainId), listing) : Task.CompletedTask);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}
