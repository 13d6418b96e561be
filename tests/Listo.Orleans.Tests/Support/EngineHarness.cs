using System.Diagnostics.Metrics;
using Listo.Orleans.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Listo.Orleans.Tests.Support;

/// <summary>A storage engine on a fresh migrated database, with the feed and journal stores that use it.</summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private readonly ServiceProvider _metrics;
    private readonly NpgsqlDataSource _dataSource;

    private EngineHarness(string connectionString, string serviceId, StorageEngineOptions? options)
    {
        ConnectionString = connectionString;
        ServiceId = serviceId;
        _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _dataSource = NpgsqlDataSource.Create(connectionString);
        Engine = new StorageEngine(
            _dataSource, serviceId, options ?? new StorageEngineOptions(),
            _metrics.GetRequiredService<IMeterFactory>(), NullLogger<StorageEngine>.Instance);
        Feed = new PostgresChangeFeed(_dataSource, serviceId, Engine);
        Journal = new PostgresDeliveryJournal(NpgsqlDataSource.Create(connectionString), serviceId);
    }

    public string ConnectionString { get; }

    public string ServiceId { get; }

    public StorageEngine Engine { get; }

    public PostgresChangeFeed Feed { get; }

    public PostgresDeliveryJournal Journal { get; }

    public static async Task<EngineHarness> CreateAsync(string prefix, string serviceId = "engine-tests", StorageEngineOptions? options = null)
        => new(await PostgresServer.CreateMigratedDatabaseAsync(prefix), serviceId, options);

    public async ValueTask DisposeAsync()
    {
        Feed.Dispose();
        await Journal.DisposeAsync();
        await Engine.DisposeAsync();
        await _dataSource.DisposeAsync();
        await _metrics.DisposeAsync();
    }
}
