using Listo.Orleans.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Listo.Orleans.Hosting;

/// <summary>The silo configuration every role uses.</summary>
public static class ListoSilo
{
    /// <summary>Name of the connection string (<c>ConnectionStrings:Listo</c>) that selects durable mode.</summary>
    public const string ConnectionStringName = "Listo";

    /// <summary>The configuration key of <see cref="ConnectionStringName"/>.</summary>
    public const string ConnectionStringKey = "ConnectionStrings:" + ConnectionStringName;

    /// <summary>True when no connection string is configured: in-memory state, localhost clustering.</summary>
    public static bool IsEmbedded(IConfiguration configuration)
        => string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName));

    /// <summary>
    /// Fails start-up with one line naming the key when the configuration cannot run in this environment:
    /// the embedded mode is for Development only.
    /// </summary>
    public static void ValidateMode(IConfiguration configuration, IHostEnvironment environment)
    {
        if (IsEmbedded(configuration) && !environment.IsDevelopment())
        {
            throw new StartupConfigurationException(
                $"{ConnectionStringKey} is required outside Development (environment '{environment.EnvironmentName}'); " +
                "the embedded in-memory mode runs only in Development.");
        }
    }

    /// <summary>Configures clustering, grain storage and the storage serializer from configuration.</summary>
    public static ISiloBuilder ConfigureListoSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(ListoOrleansOptions.Section).Get<ListoOrleansOptions>() ?? new ListoOrleansOptions();
        if (!IsEmbedded(configuration))
        {
            throw new StartupConfigurationException(
                $"{ConnectionStringKey} is set, but durable PostgreSQL mode is not available in this build yet.");
        }

        silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        return silo.AddListoStorage(configuration);
    }

    /// <summary>
    /// The grain storage every Listo grain uses (<see cref="StateNames.Storage"/>) with the System.Text.Json
    /// storage serializer, and the probe readiness asks. Clustering is configured separately.
    /// </summary>
    public static ISiloBuilder AddListoStorage(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        silo.Services.AddSingleton<ListoStorageSerializer>();
        silo.AddMemoryGrainStorage(StateNames.Storage);
        silo.Services.AddOptions<MemoryGrainStorageOptions>(StateNames.Storage)
            .Configure<ListoStorageSerializer>((o, serializer) => o.GrainStorageSerializer = serializer);
        silo.Services.AddSingleton<IStorageProbe, InMemoryStorageProbe>();
        return silo;
    }
}
