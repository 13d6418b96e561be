using Listo.Orleans.Storage;
using Npgsql;

namespace Listo.Orleans.Tests.Support;

/// <summary>
/// The real PostgreSQL server the tests use: the one ./test.sh started (LISTO_TEST_POSTGRES), or one this
/// process starts with scripts/postgres.sh. Each test class gets a database of its own.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "LISTO_TEST_POSTGRES";
    private const int DefaultPort = 55433;

    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static string? _serverUrl;

    /// <summary>Creates an empty database and returns its connection string (schema not applied).</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix, string? serverUrl = null)
    {
        var server = serverUrl ?? await ServerAsync();
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Creates a database with the schema applied.</summary>
    public static async Task<string> CreateMigratedDatabaseAsync(string prefix, string? serverUrl = null)
    {
        var connectionString = await CreateDatabaseAsync(prefix, serverUrl);
        await ListoSchema.MigrateAsync(connectionString, TextWriter.Null);
        return connectionString;
    }

    private static async Task<string> ServerAsync()
    {
        await StartLock.WaitAsync();
        try
        {
            return _serverUrl ??= Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given
                ? given
                : await Repository.RunScriptAsync("scripts/postgres.sh", "start", Path.Combine(Repository.Root, ".data", "pg-test"), DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            StartLock.Release();
        }
    }
}
