using System.Globalization;
using Listo.Orleans.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Listo.Orleans.Tests.Storage;

/// <summary>
/// A real silo on a real PostgreSQL database with the production storage registration
/// (<see cref="ListoStorage.AddListoStorage"/>) for one <c>Storage:Provider</c>, and its grain storage, called directly.
/// </summary>
public sealed class StorageHost : IAsyncDisposable
{
    private readonly IHost _host;

    private StorageHost(IHost host, string provider, string connectionString)
    {
        _host = host;
        Provider = provider;
        ConnectionString = connectionString;
        Storage = host.Services.GetRequiredKeyedService<IGrainStorage>(global::Listo.Orleans.Grains.StateNames.Storage);
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    public IGrainStorage Storage { get; }

    /// <summary>The silo's worker directory (a client's workers, from the <c>listing</c> column).</summary>
    public global::Listo.Orleans.Grains.IWorkerDirectory Directory => _host.Services.GetRequiredService<global::Listo.Orleans.Grains.IWorkerDirectory>();

    /// <summary>The silo's storage engine (the engine provider uses it for state; both use it for feed and journal rows).</summary>
    public StorageEngine Engine => _host.Services.GetRequiredService<StorageEngine>();

    public static async Task<StorageHost> StartAsync(string connectionString, string provider, string serviceId = "contract")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StorageMode.ConnectionStringKey] = connectionString,
            ["Storage:Provider"] = provider,
        }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(Support.GatewayFixture.FreePort(), Support.GatewayFixture.FreePort(), serviceId: serviceId, clusterId: "contract-" + Guid.NewGuid().ToString("N")[..8])
            .AddListoStorage(configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new StorageHost(host, provider, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    public static string Version(int version) => version.ToString(CultureInfo.InvariantCulture);
}
