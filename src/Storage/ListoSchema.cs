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

    // Serializes concurrent migrators (two deploys at once); released when the transaction ends.
    private const long MigrationLockKey = 0x4c6973746f_01;

    /// <summary>The schema version this build's silos need.</summary>
    public static int RequiredVersion => Migrations.Value[^1].Version;

    private static readonly Lazy<IReadOnlyList<Migration>> Migrations = new(LoadMigrations);

    /// <summary>
    /// Applies every migration newer than the database's version in one transaction. Idempotent: a second run
    /// changes nothing and says so. Safe while silos run: it only adds.
    /// </summary>
    public static async Task<int> MigrateAsync(string connectionString, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS listo_schema_migrations (
                version    integer     NOT NULL PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, cancellationToken);

        var current = await CurrentVersionAsync(connection, transaction, cancellationToken) ?? 0;
        var pending = Migrations.Value.Where(m => m.Version > current).ToList();
        foreach (var migration in pending)
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO listo_schema_migrations (version, name) VALUES (@version, @name)", connection, transaction);
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            await record.ExecuteNonQueryAsync(cancellationToken);
            await log.WriteLineAsync($"Applied migration {migration.Version:D4} {migration.Name}.");
        }

        await transaction.CommitAsync(cancellationToken);
        var version = pending.Count > 0 ? pending[^1].Version : current;
        await log.WriteLineAsync(pending.Count > 0
            ? $"Schema is now at version {version} ({ListoDatabase.Describe(connectionString)})."
            : $"Schema is already at version {version}; nothing to apply ({ListoDatabase.Describe(connectionString)}).");
        return version;
    }

    /// <summary>Fails with one line when the schema is missing or older than this build needs.</summary>
    public static async Task RequireCurrentAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        int? version;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
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

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
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
        return new Migration(int.Parse(name[..4], CultureInfo.InvariantCulture), name, reader.ReadToEnd());
    }

    private sealed record Migration(int Version, string Name, string Sql);
}
