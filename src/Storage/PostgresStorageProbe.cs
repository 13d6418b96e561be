using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>Readiness asks PostgreSQL a trivial question, bounded by the caller's timeout.</summary>
internal sealed class PostgresStorageProbe(string connectionString) : IStorageProbe, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public string Description { get; } = ListoDatabase.Describe(connectionString);

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
