using Listo.Orleans.Grains;
using Listo.Orleans.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Listo.Orleans.Tests.Support;

/// <summary>Two in-process silos with the production storage configuration, shared by grain tests.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public StorageFaults Faults { get; } = new();

    /// <summary>One change feed for both silos, as PostgreSQL is one in durable mode.</summary>
    public InMemoryChangeFeed Feed { get; } = new();

    /// <summary>One grain storage for both silos, so either reads what the other wrote.</summary>
    public InMemoryGrainStorage Storage { get; } = new();

    /// <summary>One worker directory for both silos, as the rows are one in durable mode (a client's workers).</summary>
    public InMemoryWorkerDirectory Directory { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        var configuration = new ConfigurationBuilder().Build();
        builder.ConfigureSilo((_, silo) => silo.AddListoStorage(configuration).AddStorageFaults(Faults).Services.AddSingleton<IChangeFeed>(Feed).AddSingleton(Storage).AddSingleton(Directory));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
