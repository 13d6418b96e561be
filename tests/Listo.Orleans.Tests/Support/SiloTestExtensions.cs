using Listo.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Listo.Orleans.Tests.Support;

internal static class SiloTestExtensions
{
    /// <summary>Wraps the Listo grain storage so tests can fail chosen writes.</summary>
    public static ISiloBuilder AddStorageFaults(this ISiloBuilder silo, StorageFaults faults)
    {
        silo.Services.AddSingleton(faults);
        silo.Services.AddGrainStorage(StateNames.Storage, (sp, name) =>
            new FaultInjectingStorage(MemoryGrainStorageFactory.Create(sp, name), sp.GetRequiredService<StorageFaults>()));
        return silo;
    }
}
