using Listo.Orleans.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Listo.Orleans.Storage;
using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Listo.Orleans.Hosting.Operations;

namespace Listo.Orleans.Hosting;

/// <summary>The silo configuration every role uses.</summary>
public static class ListoSilo
{
    /// <summary>Configures a silo of the cluster: its storage (<see cref="ListoStorage.AddListoStorage"/>, which decides the mode), clustering for that mode, memory bounds, the dashboard when it is on (<see cref="DashboardSwitch"/>).</summary>
    public static ISiloBuilder ConfigureListoSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        silo.AddListoStorage(configuration);
        var mode = StorageMode.Registered(silo.Services);
        var options = ListoOrleansOptions.Read(configuration);
        silo.Services.AddValidatedOptions<ListoOrleansOptions, ListoOrleansOptionsValidator>(ListoOrleansOptions.Section);
        if (mode.IsEmbedded)
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }
        else
        {
            var advertised = IPAddress.Parse(options.AdvertisedIPAddress); // checked by ListoOrleansOptionsValidator
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = advertised;
                o.SiloPort = options.SiloPort;
                o.GatewayPort = options.GatewayPort;
            });
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = ListoDatabase.Invariant;
                o.ConnectionString = mode.ConnectionString;
            });
        }

        // Every silo feeds the dashboard when it is on (the gateway serves its UI), and grain calls carry the trace
        // of the HTTP request that caused them.
        if (!string.IsNullOrWhiteSpace(options.SiloName))
        {
            silo.Configure<SiloOptions>(o => o.SiloName = options.SiloName);
        }

        silo.AddListoMemoryBounds();
        if (DashboardSwitch.IsOn(configuration))
        {
            silo.AddDashboard();
        }

        silo.AddActivityPropagation();
        silo.Services.AddKeyedSingleton<TimeProvider>(global::Orleans.Runtime.TimeProviderNames.Membership, new SiloStartClock());
        return silo;
    }

    /// <summary>
    /// Bounds the memory of a silo (<see cref="MemoryOptions"/>): idle worker and person activations are collected
    /// after <see cref="MemoryOptions.EntityCollectionAgeSeconds"/>, clients after their own age, the directory cache
    /// is sized to the activations rather than to every grain ever seen, Orleans sheds idle
    /// activations oldest first when the heap nears its limit, and <see cref="MemoryPressure"/> tells the webhook
    /// receiver when to refuse deliveries.
    /// </summary>
    public static ISiloBuilder AddListoMemoryBounds(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var services = silo.Services;
        services.AddValidatedOptions<MemoryOptions, MemoryOptionsValidator>(MemoryOptions.Section);
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<MemoryOptions>>((collection, memory) =>
        {
            var m = memory.Value;
            collection.CollectionQuantum = TimeSpan.FromSeconds(m.CollectionQuantumSeconds);
            collection.ClassSpecificCollectionAge[GrainClasses.Worker] = TimeSpan.FromSeconds(m.EntityCollectionAgeSeconds);
            collection.ClassSpecificCollectionAge[GrainClasses.Person] = TimeSpan.FromSeconds(m.EntityCollectionAgeSeconds);
            collection.ClassSpecificCollectionAge[GrainClasses.Client] = TimeSpan.FromSeconds(m.ClientCollectionAgeSeconds);
            collection.EnableActivationSheddingOnMemoryPressure = true;
            collection.MemoryUsageLimitPercentage = m.SheddingPercent;
            collection.MemoryUsageTargetPercentage = m.SheddingTargetPercent;
            collection.MemoryUsagePollingPeriod = TimeSpan.FromSeconds(1);
        });
        services.AddOptions<GrainDirectoryOptions>().Configure<IOptions<MemoryOptions>>((directory, memory) => directory.CacheSize = memory.Value.DirectoryCacheSize);
        services.AddSingleton<MemoryPressure>();
        services.AddHostedService(sp => sp.GetRequiredService<MemoryPressure>());
        return silo;
    }

    /// <summary>
    /// An Orleans client of the configured cluster: the membership table in PostgreSQL, or the local embedded
    /// silo's client port when no connection string is set.
    /// </summary>
    public static IClientBuilder ConfigureListoClient(this IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(configuration);
        var mode = StorageMode.From(configuration);
        var options = ListoOrleansOptions.Read(configuration);
        if (mode.IsEmbedded)
        {
            return client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
        }

        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        return client.UseAdoNetClustering(o =>
        {
            o.Invariant = ListoDatabase.Invariant;
            o.ConnectionString = mode.ConnectionString;
        });
    }
}
