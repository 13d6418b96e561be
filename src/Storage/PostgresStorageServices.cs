using Listo.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>The durable mode's PostgreSQL services of one silo, all on one <see cref="NpgsqlDataSource"/>.</summary>
public static class PostgresStorageServices
{
    /// <summary>
    /// Registers the data source (the engine's two dedicated connections, the feed's and the worker directory's
    /// reads), the <see cref="StorageEngine"/>, the journal recorder and the change feed on it, the worker
    /// directory, and the storage probe. <paramref name="serviceId"/> resolves the cluster's service id once the
    /// container is built.
    /// </summary>
    public static IServiceCollection AddListoPostgresStorage(
        this IServiceCollection services, string connectionString, StorageEngineOptions options, Func<IServiceProvider, string> serviceId)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddSingleton(sp => new StorageEngine(
            sp.GetRequiredService<NpgsqlDataSource>(),
            serviceId(sp),
            options,
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<ILogger<StorageEngine>>()));
        services.AddSingleton<IDeliveryRecorder>(sp => new EngineDeliveryRecorder(sp.GetRequiredService<StorageEngine>()));
        services.AddSingleton<IChangeFeed>(sp => new PostgresChangeFeed(
            sp.GetRequiredService<NpgsqlDataSource>(), serviceId(sp), sp.GetRequiredService<StorageEngine>()));
        services.AddSingleton<IWorkerDirectory>(sp => new PostgresWorkerDirectory(sp.GetRequiredService<NpgsqlDataSource>(), serviceId(sp)));
        services.AddSingleton<IStorageProbe>(new PostgresStorageProbe(connectionString));
        services.AddHostedService(sp => new PostgresFeedLag(
            sp.GetRequiredService<NpgsqlDataSource>(), serviceId(sp), sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<ILogger<PostgresFeedLag>>()));
        return services;
    }
}
