using System.Text;
using Listo.Orleans.Grains;
using Listo.Orleans.Storage;
using Listo.Orleans.Tests.Support;
using Npgsql;

namespace Listo.Orleans.Tests.Journal;

/// <summary>The journal partitioned by UTC day of receipt (schema 0007), on a real PostgreSQL.</summary>
[Trait(Category.Key, Category.Postgres)]
public sealed class JournalPartitionTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task Purge_DropsTheDaysOlderThanTheRetention_AndKeepsEveryRowOfTheRest()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("partitions");
        await using var journal = new PostgresDeliveryJournal(NpgsqlDataSource.Create(connectionString), "partition-tests");
        await journal.EnsurePartitionsAsync(Today.AddDays(-40));
        await journal.EnsurePartitionsAsync(Today.AddDays(-29));
        await journal.RecordAsync([
            Entry("old-1", At(-40, 9)), Entry("old-2", At(-40, 23)), Entry("old-3", At(-33, 1)),
            Entry("kept-1", At(-29, 0)), Entry("kept-2", At(-25, 12)), Entry("kept-3", At(0, 0))]);
        Assert.Contains(Day(-40), await DaysAsync(journal));

        var purged = await journal.PurgeAsync(new DateTimeOffset(Today.AddDays(-30), TimeOnly.MinValue, TimeSpan.Zero));

        Assert.Equal(3, purged);
        var days = await DaysAsync(journal);
        Assert.DoesNotContain(Day(-40), days);
        Assert.DoesNotContain(Day(-33), days);
        Assert.Contains(Day(-29), days);
        // Today and the week ahead exist, so a delivery never waits for a partition.
        Assert.All(Enumerable.Range(0, PostgresDeliveryJournal.DaysAhead + 1), d => Assert.Contains(Day(d), days));
        Assert.Equal(["kept-1", "kept-2", "kept-3"], (await journal.ListAsync(new JournalQuery())).Deliveries.Select(d => d.Id));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_deliveries_default"));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_class WHERE relname = 'listo_deliveries_" + Today.AddDays(-40).ToString("yyyyMMdd", null) + "'"));
    }

    [Fact]
    public async Task DeliveriesAtAPartitionBoundary_AreKeptInTheirOwnDay_AndServed_AndARetryAcrossMidnightIsOneDelivery()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("boundary");
        await using var journal = new PostgresDeliveryJournal(NpgsqlDataSource.Create(connectionString), "partition-tests");
        var midnight = new DateTimeOffset(Today.AddDays(-1), TimeOnly.MinValue, TimeSpan.Zero).AddDays(1);
        await journal.EnsurePartitionsAsync(Today.AddDays(-1));
        await journal.RecordAsync([Entry("last-of-day", midnight.AddTicks(-10)), Entry("first-of-day", midnight), Entry("retried", midnight.AddSeconds(-30))]);
        await journal.RecordAsync([Entry("retried", midnight.AddSeconds(30), JournalOutcomes.Duplicate)]);

        Assert.Equal(Day(-1), await PartitionOfAsync(connectionString, "last-of-day"));
        Assert.Equal(Day(0), await PartitionOfAsync(connectionString, "first-of-day"));
        var retried = (await journal.GetAsync("retried"))!;
        Assert.Equal((2, JournalOutcomes.Applied, midnight.AddSeconds(-30), midnight.AddSeconds(30)), (retried.Attempts, retried.Outcome, retried.ReceivedAt, retried.LastReceivedAt));

        // Retention up to midnight drops the day before it, and nothing at or after midnight.
        Assert.Equal(2, await journal.PurgeAsync(midnight));
        Assert.Null(await journal.GetAsync("last-of-day"));
        var kept = (await journal.GetAsync("first-of-day"))!;
        Assert.Equal(midnight, kept.ReceivedAt);
        Assert.Equal("body of first-of-day", Encoding.UTF8.GetString(kept.Body.Span));
        Assert.Equal(["first-of-day", "retried"], (await journal.ListAsync(new JournalQuery())).Deliveries.Select(d => d.Id));
    }

    [Fact]
    public async Task ADayWithoutAPartition_LandsInTheDefault_AndMovesIntoItsPartitionWhenOneIsMade()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("default");
        await using var journal = new PostgresDeliveryJournal(NpgsqlDataSource.Create(connectionString), "partition-tests");
        await journal.RecordAsync([Entry("early", At(-10, 8))]);
        Assert.Equal(1L, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_deliveries_default"));

        await journal.EnsurePartitionsAsync(Today.AddDays(-10));

        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_deliveries_default"));
        Assert.Equal(Day(-10), await PartitionOfAsync(connectionString, "early"));
        Assert.NotNull(await journal.GetAsync("early"));
    }

    [Fact]
    public async Task TheMigrationFromTheUnpartitionedTable_KeepsEveryRow()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("migrate0007");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await ApplyUpToAsync(dataSource, 6);
        await using (var insert = dataSource.CreateCommand("""
            INSERT INTO listo_deliveries (service_id, id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail, replayed_at, body)
            SELECT 'svc', 'd' || i, 'worker.updated', '2026-05-03T12:00:00Z', now() - make_interval(hours => i), now() - make_interval(hours => i) + interval '1 minute',
                   1 + i % 3, CASE WHEN i % 5 = 0 THEN 'stale' ELSE 'applied' END, CASE WHEN i % 7 = 0 THEN 'note ' || i END,
                   CASE WHEN i % 11 = 0 THEN now() END, convert_to('body ' || i, 'UTF8')
              FROM generate_series(1, 500) i
            """))
        {
            await insert.ExecuteNonQueryAsync();
        }

        const string Rows = "SELECT string_agg(concat_ws('|', service_id, id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail, replayed_at, encode(body, 'hex')), ',' ORDER BY id) FROM listo_deliveries";
        var before = await ScalarAsync<string>(connectionString, Rows);

        await ListoSchema.MigrateAsync(connectionString, TextWriter.Null);

        Assert.Equal(before, await ScalarAsync<string>(connectionString, Rows));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_deliveries_default"));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_class WHERE relname = 'listo_deliveries_0003'"));
        await using var journal = new PostgresDeliveryJournal(NpgsqlDataSource.Create(connectionString), "svc");
        Assert.Equal(500, (await journal.ListAsync(new JournalQuery(Limit: 1000))).Deliveries.Count);
        Assert.Equal("note 7", (await journal.GetAsync("d7"))!.Detail);
    }

    /// <summary>Applies the shipped migrations 1 to <paramref name="version"/> only, as a database of that version has them.</summary>
    private static async Task ApplyUpToAsync(NpgsqlDataSource dataSource, int version)
    {
        var assembly = typeof(ListoSchema).Assembly;
        await using (var table = dataSource.CreateCommand("CREATE TABLE listo_schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"))
        {
            await table.ExecuteNonQueryAsync();
        }

        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(version))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            await using (var migration = dataSource.CreateCommand(await reader.ReadToEndAsync()))
            {
                await migration.ExecuteNonQueryAsync();
            }

            var name = resource["Listo.Orleans.Schema.".Length..^".sql".Length];
            await using var record = dataSource.CreateCommand("INSERT INTO listo_schema_migrations (version, name) VALUES ($1, $2)");
            record.Parameters.Add(new NpgsqlParameter { Value = int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture) });
            record.Parameters.Add(new NpgsqlParameter { Value = name });
            await record.ExecuteNonQueryAsync();
        }
    }

    private static DateTimeOffset At(int day, int hour) => new(Today.AddDays(day), new TimeOnly(hour, 0), TimeSpan.Zero);

    private static DateOnly Day(int day) => Today.AddDays(day);

    private static async Task<List<DateOnly>> DaysAsync(PostgresDeliveryJournal journal) => (await journal.PartitionsAsync()).Select(p => p.Day).ToList();

    private static async Task<DateOnly> PartitionOfAsync(string connectionString, string id)
    {
        var name = await ScalarAsync<string>(connectionString, $"SELECT tableoid::regclass::text FROM listo_deliveries WHERE id = '{id}'");
        return DateOnly.ParseExact(name[^8..], "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<long> ScalarAsync(string connectionString, string sql) => ScalarAsync<long>(connectionString, sql);

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static JournalEntry Entry(string id, DateTimeOffset receivedAt, string outcome = JournalOutcomes.Applied)
        => new(id, "worker.updated", "2026-05-03T12:00:00Z", receivedAt, outcome, null, Encoding.UTF8.GetBytes($"body of {id}"));
}
