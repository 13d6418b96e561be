using System.Globalization;
using System.Reflection;
using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>
/// The project's PostgreSQL schema: numbered scripts embedded in this assembly, applied in order by
/// <see cref="MigrateAsync"/> and recorded in <c>listo_schema_migrations</c>. Silos only check it.
/// </summary>
public static class ListoSchema
{
    private const string ResourcePrefix = "Listo.Orleans.Schema.";

    // Serializes concurrent migrators (two deploys at once); held by the migrating session until it is done.
    private const long MigrationLockKey = 0x4c6973746f_01;

    /// <summary>The schema version this build's silos need.</summary>
    public static int RequiredVersion => Migrations.Value[^1].Version;

    private static readonly Lazy<IReadOnlyList<Migration>> Migrations = new(LoadMigrations);

    /// <summary>The oldest PostgreSQL this schema runs on: 14 (lz4 column compression; xid8 snapshots need 13).</summary>
    public const int MinimumServerVersion = 140000;

    /// <summary>
    /// Applies every migration newer than the database's version, each in its own transaction (one that builds an
    /// index <c>CONCURRENTLY</c>, marked <c>-- listo: no-transaction</c>, outside one), and records each with the
    /// checksum of its file. Idempotent: a second run changes nothing and says so. Refuses, in one line, a server older
    /// than <see cref="MinimumServerVersion"/> and a database where an applied migration differs from the shipped
    /// file. Whether a migration blocks writes while it runs is in its header (docs/runbook.md, "Schema migrations").
    /// </summary>
    public static async Task<int> MigrateAsync(string connectionString, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);

        // Not pooled: the migration lock is the session's, and a pooled connection would keep it after a failure.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        RequireServerVersion(connection, connectionString);
        await LockAsync(connection, cancellationToken);
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS listo_schema_migrations (
                version    integer     NOT NULL PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now());
            ALTER TABLE listo_schema_migrations ADD COLUMN IF NOT EXISTS checksum text;
            """, cancellationToken);
        await VerifyAppliedAsync(connection, connectionString, cancellationToken);

        var current = await CurrentVersionAsync(connection, null, cancellationToken) ?? 0;
        var pending = Migrations.Value.Where(m => m.Version > current).ToList();
        foreach (var migration in pending)
        {
            await using (var transaction = migration.InTransaction ? await connection.BeginTransactionAsync(cancellationToken) : null)
            {
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                await using var record = new NpgsqlCommand(
                    "INSERT INTO listo_schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)", connection, transaction);
                record.Parameters.AddWithValue("version", migration.Version);
                record.Parameters.AddWithValue("name", migration.Name);
                record.Parameters.AddWithValue("checksum", migration.Checksum);
                await record.ExecuteNonQueryAsync(cancellationToken);
                if (transaction is not null)
                {
                    await transaction.CommitAsync(cancellationToken);
                }
            }

            await log.WriteLineAsync($"Applied migration {migration.Name}.");
        }

        await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({MigrationLockKey})", cancellationToken);
        var version = pending.Count > 0 ? pending[^1].Version : current;
        await log.WriteLineAsync(pending.Count > 0
            ? $"Schema is now at version {version} ({ListoDatabase.Describe(connectionString)})."
            : $"Schema is already at version {version}; nothing to apply ({ListoDatabase.Describe(connectionString)}).");
        return version;
    }

    /// <summary>
    /// Every applied migration must be the shipped file: an edited migration would leave databases that ran the old
    /// text and databases that run the new one with different schemas under one version number. Rows recorded before
    /// checksums existed get the shipped file's.
    /// </summary>
    private static async Task VerifyAppliedAsync(NpgsqlConnection connection, string connectionString, CancellationToken cancellationToken)
    {
        var applied = new List<(int Version, string Name, string? Checksum)>();
        await using (var read = new NpgsqlCommand("SELECT version, name, checksum FROM listo_schema_migrations ORDER BY version", connection))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add((reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }

        foreach (var (version, name, checksum) in applied)
        {
            var shipped = Migrations.Value.FirstOrDefault(m => m.Version == version);
            if (shipped is null)
            {
                continue; // a newer build's migration: this build's silos are refused by RequireCurrentAsync, not here
            }

            if (checksum is null)
            {
                await using var backfill = new NpgsqlCommand("UPDATE listo_schema_migrations SET checksum = @checksum WHERE version = @version", connection);
                backfill.Parameters.AddWithValue("checksum", shipped.Checksum);
                backfill.Parameters.AddWithValue("version", version);
                await backfill.ExecuteNonQueryAsync(cancellationToken);
            }
            else if (!string.Equals(checksum, shipped.Checksum, StringComparison.Ordinal))
            {
                throw new StartupConfigurationException(
                    $"Migration {name} applied to {ListoDatabase.Describe(connectionString)} differs from the shipped file " +
                    $"(checksum {checksum[..12]}…, shipped {shipped.Checksum[..12]}…): a released migration was edited; restore it and put the change in a new migration.");
            }
        }
    }

    /// <summary>
    /// Takes the migration lock, polling rather than waiting in one statement: a session blocked inside a statement holds
    /// a transaction open, and CREATE INDEX CONCURRENTLY in the session that has the lock would wait for it (a deadlock).
    /// </summary>
    private static async Task LockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({MigrationLockKey})", connection);
        while (!(bool)(await command.ExecuteScalarAsync(cancellationToken))!)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private static void RequireServerVersion(NpgsqlConnection connection, string connectionString)
    {
        if (connection.PostgreSqlVersion < new Version(MinimumServerVersion / 10000, 0))
        {
            throw new StartupConfigurationException(
                $"{ListoDatabase.Describe(connectionString)} runs PostgreSQL {connection.ServerVersion}: Listo.Orleans needs {MinimumServerVersion / 10000} or later (lz4 column compression).");
        }
    }

    /// <summary>Fails with one line when the schema is missing or older than this build needs.</summary>
    public static async Task RequireCurrentAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        int? version;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            RequireServerVersion(connection, connectionString);
            version = await CurrentVersionAsync(connection, null, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new StartupConfigurationException($"{ListoDatabase.ConnectionStringKey}: cannot reach {ListoDatabase.Describe(connectionString)}: {ex.Message}");
        }

        if (version is null)
        {
            throw new StartupConfigurationException(
                $"The PostgreSQL schema is missing in {ListoDatabase.Describe(connectionString)}: run `dotnet run --project src/Silo -- migrate` (or the schema Job) first.");
        }

        if (version < RequiredVersion)
        {
            throw new StartupConfigurationException(
                $"The PostgreSQL schema is at version {version}, this build needs {RequiredVersion}: run `dotnet run --project src/Silo -- migrate` first.");
        }
    }

    private static async Task<int?> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass('listo_schema_migrations') IS NOT NULL", connection, transaction);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return null;
        }

        await using var max = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM listo_schema_migrations", connection, transaction);
        return Convert.ToInt32(await max.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<Migration> LoadMigrations()
    {
        var assembly = typeof(ListoSchema).Assembly;
        var migrations = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Load(assembly, n))
            .OrderBy(m => m.Version)
            .ToList();
        if (migrations.Count == 0 || migrations.Select((m, i) => m.Version != i + 1).Any(gap => gap))
        {
            throw new InvalidOperationException("Schema migrations must be numbered 0001, 0002, … without gaps.");
        }

        return migrations;
    }

    private static Migration Load(Assembly assembly, string resource)
    {
        var name = resource[ResourcePrefix.Length..^".sql".Length];
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        var sql = reader.ReadToEnd().ReplaceLineEndings("\n");
        return new Migration(
            int.Parse(name[..4], CultureInfo.InvariantCulture),
            name,
            sql,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sql))),
            !sql.Contains(NoTransactionMarker, StringComparison.Ordinal));
    }

    /// <summary>The header line of a migration that must run outside a transaction (<c>CREATE INDEX CONCURRENTLY</c>).</summary>
    public const string NoTransactionMarker = "-- listo: no-transaction";

    /// <summary>The header line every migration starts its lock statement with.</summary>
    public const string LockHeader = "-- Lock:";

    /// <summary>Each shipped migration's version, name and text (tests read the headers).</summary>
    public static IEnumerable<(int Version, string Name, string Sql)> Shipped => Migrations.Value.Select(m => (m.Version, m.Name, m.Sql));

    private sealed record Migration(int Version, string Name, string Sql, string Checksum, bool InTransaction);
}
