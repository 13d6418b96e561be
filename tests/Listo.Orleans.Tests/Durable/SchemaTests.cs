using Listo.Orleans.Storage;
using Listo.Orleans.Tests.Support;
using Npgsql;

namespace Listo.Orleans.Tests.Durable;

[Trait(Category.Key, Category.Process)]
public sealed class SchemaTests
{
    [Fact]
    public async Task MigrateTwice_TheSecondRunChangesNothing_AndSaysSo()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("schema");
        var first = new StringWriter();
        var second = new StringWriter();

        Assert.Equal(ListoSchema.RequiredVersion, await ListoSchema.MigrateAsync(connectionString, first));
        var before = await SnapshotAsync(connectionString);
        Assert.Equal(ListoSchema.RequiredVersion, await ListoSchema.MigrateAsync(connectionString, second));

        Assert.Contains("Applied migration 0001", first.ToString(), StringComparison.Ordinal);
        Assert.Contains("nothing to apply", second.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(connectionString));
    }

    [Fact]
    public async Task ConcurrentMigrations_AreSerialized_AndBothSucceed()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("schema");

        var versions = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ListoSchema.MigrateAsync(connectionString, TextWriter.Null)));

        Assert.All(versions, v => Assert.Equal(ListoSchema.RequiredVersion, v));
        Assert.Equal($"migrations={ListoSchema.RequiredVersion}", (await SnapshotAsync(connectionString)).Split(' ')[0]);
    }

    [Fact]
    public async Task MissingSchema_StopsTheSiloAtStart_WithOneLineNamingTheFix()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("schema");

        var ex = await Assert.ThrowsAsync<StartupConfigurationException>(() => ListoSchema.RequireCurrentAsync(connectionString));
        Assert.Contains("migrate", ex.Message, StringComparison.Ordinal);

        await using var silo = GatewayProcess.StartSilo(GatewayProcess.ClusterSettings(connectionString, "schema-missing"));
        Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var lines = silo.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("schema is missing", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("listo_grain_state", await TablesAsync(connectionString), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OlderSchema_IsRefused()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("schema");
        await ExecuteAsync(connectionString, "DELETE FROM listo_schema_migrations");

        var ex = await Assert.ThrowsAsync<StartupConfigurationException>(() => ListoSchema.RequireCurrentAsync(connectionString));
        Assert.Contains($"at version 0, this build needs {ListoSchema.RequiredVersion}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEditedMigration_IsRefusedByMigrate_InOneLine()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("schema");
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_schema_migrations WHERE checksum IS NULL"));

        // As a database looks that ran a different text of 0005 than this build ships.
        await ExecuteAsync(connectionString, "UPDATE listo_schema_migrations SET checksum = repeat('ab', 32) WHERE version = 5");
        var ex = await Assert.ThrowsAsync<StartupConfigurationException>(() => ListoSchema.MigrateAsync(connectionString, TextWriter.Null));
        Assert.Contains("Migration 0005_change_entity_index", ex.Message, StringComparison.Ordinal);
        Assert.Contains("differs from the shipped file", ex.Message, StringComparison.Ordinal);

        await using var migrate = ChildProcess.Start("migrate", Repository.Executable("Silo", "Listo.Orleans.Silo"),
            new Dictionary<string, string> { ["ConnectionStrings__Listo"] = connectionString }, "migrate");
        Assert.Equal(2, await migrate.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(migrate.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Configuration error: Migration 0005_change_entity_index applied to ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADatabaseMigratedBeforeChecksums_GetsTheShippedChecksums()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("schema");
        await ExecuteAsync(connectionString, "UPDATE listo_schema_migrations SET checksum = NULL");

        Assert.Equal(ListoSchema.RequiredVersion, await ListoSchema.MigrateAsync(connectionString, TextWriter.Null));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_schema_migrations WHERE checksum IS NULL"));
        Assert.Equal(ListoSchema.RequiredVersion, await ListoSchema.MigrateAsync(connectionString, TextWriter.Null));
    }

    [Fact]
    public void EveryMigration_SaysInItsHeaderWhetherItBlocksWrites_AndConcurrentIndexBuildsRunOutsideATransaction()
    {
        foreach (var (version, name, sql) in ListoSchema.Shipped)
        {
            var header = sql.Split('\n').TakeWhile(l => l.StartsWith("--", StringComparison.Ordinal)).ToList();
            Assert.True(header.Count > 0 && header[0].StartsWith(ListoSchema.LockHeader, StringComparison.Ordinal), $"{version:D4} {name} does not start with '{ListoSchema.LockHeader}'");
            var concurrently = sql.Contains("CONCURRENTLY", StringComparison.Ordinal);
            Assert.True(concurrently == header.Contains(ListoSchema.NoTransactionMarker), $"{version:D4} {name}: CONCURRENTLY and '{ListoSchema.NoTransactionMarker}' go together");
        }
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> SnapshotAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT 'migrations=' || (SELECT count(*) FROM listo_schema_migrations)
                || ' queries=' || (SELECT count(*) FROM orleansquery)
                || ' query-text=' || (SELECT md5(string_agg(querykey || querytext, '' ORDER BY querykey)) FROM orleansquery)
                || ' tables=' || (SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public')
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> TablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(string_agg(tablename, ','), '') FROM pg_tables WHERE schemaname = 'public'", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
