using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>
/// One connection kept open for one loop of the engine: no pool checkout and no session reset per flush. A
/// failure closes it; the next use opens a new one (Npgsql's data source reconnects once the server is back).
/// </summary>
internal sealed class DedicatedConnection(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;

    public async ValueTask<NpgsqlConnection> GetAsync()
        => _connection is { State: System.Data.ConnectionState.Open } open ? open : _connection = await OpenAsync();

    public async ValueTask ResetAsync()
    {
        if (_connection is { } broken)
        {
            _connection = null;
            await broken.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => ResetAsync();

    private async Task<NpgsqlConnection> OpenAsync()
    {
        await ResetAsync();
        var connection = await dataSource.OpenConnectionAsync();

        // The engine only looks rows up by their whole key: a plan cached while the table was small must not become
        // a scan of it (EngineSql).
        await using var session = new NpgsqlCommand("SET enable_seqscan = off", connection);
        await session.ExecuteNonQueryAsync();
        return connection;
    }
}
