using System.Diagnostics.Metrics;
using Listo.Orleans.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Listo.Orleans.Storage;

/// <summary>The one registration of persistence: grain storage, change feed, journal, worker directory and probe, for the mode configured.</summary>
public static class ListoStorage
{
    /// <summary>The name Orleans' ADO.NET provider is registered under when <c>Storage:Provider=adonet</c>.</summary>
    public const string AdoNetStorageName = "listo-adonet";

    /// <summary>
    /// Decides the <see cref="StorageMode"/> once and registers it with everything it selects:
    /// <list type="bullet">
    /// <item>the grain storage every Listo grain uses (<see cref="StateNames.Storage"/>), which must carry the rows
    /// that ride with a state write (<see cref="IOutboxGrainStorage"/>, checked at start);</item>
    /// <item><see cref="IChangeFeed"/>, <see cref="IDeliveryRecorder"/> and <see cref="IDeliveryJournal"/>,
    /// <see cref="IWorkerDirectory"/> and <see cref="IStorageProbe"/>.</item>
    /// </list>
    /// Embedded: memory, nothing serialized. Engine: one <see cref="NpgsqlDataSource"/> and the
    /// <see cref="StorageEngine"/> (state, feed and journal rows in one transaction per flush). ADO.NET: Orleans'
    /// provider over the same rows, the outbox rows right after each state.
    /// </summary>
    public static ISiloBuilder AddListoStorage(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var mode = StorageMode.From(configuration);
        var services = silo.Services;
        services.AddSingleton(mode);
        services.AddSingleton<ListoStorageSerializer>();
        services.AddSingleton<StorageMetrics>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, OutboxStorageCheck>();
        services.AddValidatedOptions<ChangeOptions, ChangeOptionsValidator>(ChangeOptions.Section);
        services.AddValidatedOptions<JournalOptions, JournalOptionsValidator>(JournalOptions.Section);
        services.AddValidatedOptions<StorageEngineOptions, StorageEngineOptionsValidator>(StorageEngineOptions.Section);
        switch (mode.Kind)
        {
            case StorageKind.Embedded:
                AddEmbedded(services);
                break;
            case StorageKind.Engine:
                AddPostgres(services, mode);
                services.AddGrainStorage(StateNames.Storage, (sp, _) => Measured(sp, new EngineGrainStorage(
                    sp.GetRequiredService<StorageEngine>(), sp.GetRequiredService<ListoStorageSerializer>())));
                break;
            case StorageKind.AdoNet:
                AddPostgres(services, mode);
                silo.AddAdoNetGrainStorage(AdoNetStorageName, o =>
                {
                    o.Invariant = ListoDatabase.Invariant;
                    o.ConnectionString = mode.ConnectionString;
                });
                services.AddOptions<AdoNetGrainStorageOptions>(AdoNetStorageName)
                    .Configure<ListoStorageSerializer>((o, serializer) => o.GrainStorageSerializer = serializer);
                services.AddGrainStorage(StateNames.Storage, (sp, _) => Measured(sp, OutboxAfterWrite(sp, sp.GetRequiredKeyedService<IGrainStorage>(AdoNetStorageName))));
                break;
        }

        return silo;
    }

    /// <summary>
    /// Purges journaled deliveries past their retention, in the process this is called for (the gateway); it does
    /// nothing when the journal is off.
    /// </summary>
    public static IServiceCollection AddListoJournalRetention(this IServiceCollection services)
        => services.AddHostedService<JournalRetention>();

    private static void AddEmbedded(IServiceCollection services)
    {
        services.AddSingleton<IChangeFeed, InMemoryChangeFeed>();
        services.AddSingleton<InMemoryDeliveryJournal>();
        services.AddSingleton<IDeliveryRecorder>(sp => sp.GetRequiredService<InMemoryDeliveryJournal>());
        services.AddSingleton<IDeliveryJournal>(sp => sp.GetRequiredService<InMemoryDeliveryJournal>());
        services.AddSingleton<InMemoryWorkerDirectory>();
        services.AddSingleton<IWorkerListings>(sp => sp.GetRequiredService<InMemoryWorkerDirectory>());
        services.AddSingleton<IWorkerDirectory>(sp => sp.GetRequiredService<InMemoryWorkerDirectory>());
        services.AddSingleton<InMemoryGrainStorage>();
        services.AddGrainStorage(StateNames.Storage, (sp, _) => Measured(sp, OutboxAfterWrite(sp, sp.GetRequiredService<InMemoryGrainStorage>())));
        services.AddSingleton<IStorageProbe, InMemoryStorageProbe>();
    }

    /// <summary>The durable mode's PostgreSQL services, all on one data source; the service id is the silo's, once the container is built.</summary>
    private static void AddPostgres(IServiceCollection services, StorageMode mode)
    {
        static string ServiceId(IServiceProvider sp) => sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;
        services.AddSingleton(_ => NpgsqlDataSource.Create(mode.ConnectionString));
        services.AddSingleton(sp => new StorageEngine(
            sp.GetRequiredService<NpgsqlDataSource>(), ServiceId(sp), mode.Engine, sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ILogger<StorageEngine>>()));
        services.AddSingleton<IDeliveryRecorder>(sp => new EngineDeliveryRecorder(sp.GetRequiredService<StorageEngine>()));
        services.AddSingleton<IDeliveryJournal>(sp => PostgresDeliveryJournal.Create(mode.ConnectionString, ServiceId(sp)));
        services.AddSingleton<IChangeFeed>(sp => new PostgresChangeFeed(sp.GetRequiredService<NpgsqlDataSource>(), ServiceId(sp), sp.GetRequiredService<StorageEngine>()));
        services.AddSingleton(sp => new PostgresWorkerDirectory(sp.GetRequiredService<NpgsqlDataSource>(), ServiceId(sp)));
        services.AddSingleton<IWorkerListings>(sp => sp.GetRequiredService<PostgresWorkerDirectory>());
        services.AddSingleton<IWorkerDirectory>(sp => sp.GetRequiredService<PostgresWorkerDirectory>());
        services.AddSingleton<IStorageProbe>(new PostgresStorageProbe(mode.ConnectionString));
        services.AddHostedService(sp => new PostgresFeedLag(
            sp.GetRequiredService<NpgsqlDataSource>(), ServiceId(sp), sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ILogger<PostgresFeedLag>>()));
    }

    /// <summary><paramref name="inner"/>, which knows nothing of outboxes, with each state's rows written right after it.</summary>
    private static OutboxAfterWriteStorage OutboxAfterWrite(IServiceProvider services, IGrainStorage inner) => new(
        inner, services.GetRequiredService<IChangeFeed>(), services.GetRequiredService<IDeliveryRecorder>(), services.GetRequiredService<IWorkerListings>());

    /// <summary><paramref name="inner"/> with its writes measured (listo.storage.write.duration).</summary>
    private static MeasuredGrainStorage Measured(IServiceProvider services, IOutboxGrainStorage inner) => new(inner, services.GetRequiredService<StorageMetrics>());
}
