using Listo.Orleans.Storage;
using Listo.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;

namespace Listo.Orleans.Tests.Support;

internal static class SiloTestExtensions
{
    /// <summary>Wraps the Listo grain storage so tests can fail or hold chosen writes, and counts calls reaching grains.</summary>
    public static ISiloBuilder AddStorageFaults(this ISiloBuilder silo, StorageFaults faults)
    {
        silo.Services.AddSingleton(faults);
        // Measured outermost, as the silo's own registration does, so a failed write counts as an error.
        silo.Services.AddGrainStorage(StateNames.Storage, (sp, name) => new MeasuredGrainStorage(
            new FaultInjectingStorage(
                new OutboxAfterWriteStorage(
                    sp.GetRequiredService<InMemoryGrainStorage>(), sp.GetRequiredService<IChangeFeed>(), sp.GetRequiredService<IDeliveryRecorder>(), sp.GetRequiredService<IWorkerListings>()),
                sp.GetRequiredService<StorageFaults>()),
            sp.GetRequiredService<StorageMetrics>()));
        silo.AddIncomingGrainCallFilter(new ArrivalFilter(faults));
        return silo;
    }
}
