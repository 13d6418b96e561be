using Listo.Orleans.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Storage;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Listo.Orleans.Hosting.Operations;

namespace Listo.Orleans.Hosting;

/// <summary>The silo configuration every role uses.</summary>
public static class ListoSilo
{
    /// <summary>Name of the connection string (<c>ConnectionStrings:Listo</c>) that selects durable mode.</summary>
    public const string ConnectionStringName = "Listo";

    /// <summary>The configuration key of <see cref="ConnectionStringName"/>.</summary>
    public const string ConnectionStringKey = ListoDatabase.ConnectionStringKey;

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
        var options = ListoOrleansOptions.Read(configuration);
        if (IsEmbedded(configuration))
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
                o.ConnectionString = DurableConnectionString(configuration);
            });
        }

        // Every silo feeds the dashboard (the gateway serves its UI), and grain calls carry the trace of the
        // HTTP request that caused them.
        if (!string.IsNullOrWhiteSpace(options.SiloName))
        {
            silo.Configure<SiloOptions>(o => o.SiloName = options.SiloName);
        }

        silo.AddListoMemoryBounds();
        silo.AddDashboard();
        silo.AddActivityPropagation();
        silo.Services.AddKeyedSingleton<TimeProvider>(global::Orleans.Runtime.TimeProviderNames.Membership, new SiloStartClock());
        return silo.AddListoStorage(configuration);
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
        services.AddOptions<MemoryOptions>().BindConfiguration(MemoryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MemoryOptions>, MemoryOptionsValidator>();
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
        var options = ListoOrleansOptions.Read(configuration);
        if (IsEmbedded(configuration))
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
            o.ConnectionString = DurableConnectionString(configuration);
        });
    }

    /// <summary>
    /// The grain storage every Listo grain uses (<see cref="StateNames.Storage"/>), the change feed, the journal's
    /// writer and the probe readiness asks. Durable mode: the storage engine on PostgreSQL (or Orleans' ADO.NET
    /// provider with <c>Storage:Provider=adonet</c>, feed and journal rows still through the engine); embedded
    /// mode: memory, with no serialization. Clustering is configured separately.
    /// </summary>
    public static ISiloBuilder AddListoStorage(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = silo.Services;
        services.AddSingleton<ListoStorageSerializer>();
        services.AddSingleton<StorageMetrics>();
        services.AddOptions<ChangeOptions>().Bind(configuration.GetSection(ChangeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChangeOptions>, ChangeOptionsValidator>();
        if (IsEmbedded(configuration))
        {
            services.AddSingleton<IChangeFeed, InMemoryChangeFeed>();
            services.AddSingleton<InMemoryDeliveryJournal>();
            services.AddSingleton<IDeliveryRecorder>(sp => sp.GetRequiredService<InMemoryDeliveryJournal>());
            services.AddSingleton<InMemoryGrainStorage>();
            services.AddSingleton<IWorkerDirectory>(sp => sp.GetRequiredService<InMemoryGrainStorage>());
            services.AddGrainStorage(StateNames.Storage, (sp, _) => Measured(sp, new OutboxAfterWriteStorage(
                sp.GetRequiredService<InMemoryGrainStorage>(), sp.GetRequiredService<IChangeFeed>(), sp.GetRequiredService<IDeliveryRecorder>())));
            services.AddSingleton<IStorageProbe, InMemoryStorageProbe>();
            return silo;
        }

        var connectionString = DurableConnectionString(configuration);
        // Read now, before the container exists, because it chooses what is registered; validated by the same
        // validator the container runs at start for anything that injects it.
        var engineOptions = configuration.GetSection(StorageEngineOptions.Section).Get<StorageEngineOptions>() ?? new StorageEngineOptions();
        var engineValidator = new StorageEngineOptionsValidator();
        if (engineValidator.Validate(null, engineOptions) is { Failed: true } invalid)
        {
            throw new StartupConfigurationException(invalid.FailureMessage);
        }

        services.AddOptions<StorageEngineOptions>().Bind(configuration.GetSection(StorageEngineOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageEngineOptions>>(engineValidator);

        services.AddListoPostgresStorage(connectionString, engineOptions, sp => sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId);
        switch (engineOptions.Provider)
        {
            case StorageProviders.Engine:
                services.AddGrainStorage(StateNames.Storage, (sp, _) => Measured(sp, new EngineGrainStorage(
                    sp.GetRequiredService<StorageEngine>(), sp.GetRequiredService<ListoStorageSerializer>())));
                break;
            case StorageProviders.AdoNet:
                // Orleans' provider over the same rows, under a name of its own; "listo" adds the outbox rows after it.
                silo.AddAdoNetGrainStorage(AdoNetStorageName, o =>
                {
                    o.Invariant = ListoDatabase.Invariant;
                    o.ConnectionString = connectionString;
                });
                services.AddOptions<AdoNetGrainStorageOptions>(AdoNetStorageName)
                    .Configure<ListoStorageSerializer>((o, serializer) => o.GrainStorageSerializer = serializer);
                services.AddGrainStorage(StateNames.Storage, (sp, _) => Measured(sp, new OutboxAfterWriteStorage(
                    sp.GetRequiredKeyedService<IGrainStorage>(AdoNetStorageName), sp.GetRequiredService<IChangeFeed>(), sp.GetRequiredService<IDeliveryRecorder>())));
                break;
        }

        return silo;
    }

    /// <summary>The name Orleans' ADO.NET provider is registered under when <c>Storage:Provider=adonet</c>.</summary>
    public const string AdoNetStorageName = "listo-adonet";

    /// <summary>The configured connection string with the defaults of <see cref="ListoDatabase.Normalize"/>.</summary>
    public static string DurableConnectionString(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var raw = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new StartupConfigurationException($"{ConnectionStringKey} is required for durable mode.");
        }

        try
        {
            return ListoDatabase.Normalize(raw, "listo-orleans");
        }
        catch (ArgumentException ex)
        {
            throw new StartupConfigurationException($"{ConnectionStringKey} is not a valid Npgsql connection string: {ex.Message}");
        }
    }

    /// <summary>In durable mode, fails with one line unless the schema this build needs is in place.</summary>
    public static Task RequireSchemaAsync(IConfiguration configuration, CancellationToken cancellationToken = default)
        => IsEmbedded(configuration) ? Task.CompletedTask : ListoSchema.RequireCurrentAsync(DurableConnectionString(configuration), cancellationToken);

    /// <summary><paramref name="inner"/> with its writes measured (listo.storage.write.duration).</summary>
    private static MeasuredGrainStorage Measured(IServiceProvider services, IGrainStorage inner) => new(inner, services.GetRequiredService<StorageMetrics>());
}
