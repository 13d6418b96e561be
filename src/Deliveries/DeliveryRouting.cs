using Listo.Orleans.Grains;

namespace Listo.Orleans.Deliveries;

/// <summary>The one grain path of a delivery, taken by the gateway on receipt and by <c>replay</c> alike.</summary>
public static class DeliveryRouting
{
    /// <summary>
    /// Applies a worker or client delivery to the grain that owns the entity; returns once its outcome is durable,
    /// and <paramref name="receipt"/> (when given) journaled with it in the same flush as the state it changed.
    /// An ignored or invalid delivery has no grain: <see cref="ArgumentException"/>.
    /// </summary>
    public static Task<DeliveryOutcome> ApplyAsync(this IGrainFactory grains, ParsedDelivery delivery, JournalEntry? receipt = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return delivery switch
        {
            ParsedDelivery.Worker worker => grains.GetWorkerGrain(worker.Snapshot.ClientId, worker.Snapshot.WorkerId).ApplyAsync(worker.Snapshot, receipt),
            ParsedDelivery.Client client => grains.GetClientGrain(client.Snapshot.ClientId).ApplyAsync(client.Snapshot, receipt),
            _ => throw new ArgumentException($"A {delivery?.GetType().Name} delivery is not routed to a grain.", nameof(delivery)),
        };
    }
}
