using Listo.Orleans.Grains;
using Npgsql;
using NpgsqlTypes;

namespace Listo.Orleans.Storage;

/// <summary>
/// The journal in PostgreSQL (<c>listo_deliveries</c>, schema 0003). A batch is one statement: an insert of
/// every entry that, for an id already held, counts the attempt and keeps the outcome by
/// <see cref="JournalOutcomes.Supersedes"/>.
/// </summary>
public sealed class PostgresDeliveryJournal(NpgsqlDataSource dataSource, string serviceId) : IDeliveryJournal, IAsyncDisposable
{
    /// <summary>A journal on its own data source for <paramref name="connectionString"/> (disposed with the journal).</summary>
    public static PostgresDeliveryJournal Create(string connectionString, string serviceId) => new(NpgsqlDataSource.Create(connectionString), serviceId);

    public async Task RecordAsync(IReadOnlyList<JournalEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        // One row per id in a statement (ON CONFLICT cannot touch a row twice), in id order so concurrent gateways
        // lock rows in the same order.
        var rows = entries
            .GroupBy(e => e.Id, StringComparer.Ordinal)
            .Select(g => g.Aggregate((held, next) => held.Then(next)))
            .OrderBy(e => e.Id, StringComparer.Ordinal)
            .ToList();
        var supersedes = EngineSql.SupersedesBy("excluded.outcome");
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO listo_deliveries AS held (service_id, id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail, body, received_on)
            SELECT $1, e.*, (e.received_at AT TIME ZONE 'UTC')::date FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::int[], $8::text[], $9::text[], $10::bytea[])
                AS e (id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail, body)
            ON CONFLICT ON CONSTRAINT listo_deliveries_pkey DO UPDATE SET
                attempts = held.attempts + excluded.attempts,
                last_received_at = GREATEST(held.last_received_at, excluded.last_received_at),
                outcome = CASE WHEN {supersedes} THEN excluded.outcome ELSE held.outcome END,
                detail = CASE WHEN {supersedes} THEN excluded.detail ELSE held.detail END
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.AddColumn(NpgsqlDbType.Text, rows, e => e.Id);
        command.AddColumn(NpgsqlDbType.Text, rows, e => e.Type);
        command.AddColumn(NpgsqlDbType.Text, rows, e => e.OccurredAt);
        command.AddColumn(NpgsqlDbType.TimestampTz, rows, e => e.ReceivedAt.UtcDateTime);
        command.AddColumn(NpgsqlDbType.TimestampTz, rows, e => e.LastReceivedAt.UtcDateTime);
        command.AddColumn(NpgsqlDbType.Integer, rows, e => e.Attempts);
        command.AddColumn(NpgsqlDbType.Text, rows, e => e.Outcome);
        command.AddColumn(NpgsqlDbType.Text, rows, e => e.Detail);
        command.AddColumn(NpgsqlDbType.Bytea, rows, e => e.Body.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReplayedAsync(IReadOnlyList<(string Id, string Outcome, string? Detail)> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
        {
            return;
        }

        var rows = outcomes.DistinctBy(o => o.Id, StringComparer.Ordinal).OrderBy(o => o.Id, StringComparer.Ordinal).ToList();
        var supersedes = EngineSql.SupersedesBy("r.outcome");
        await using var command = dataSource.CreateCommand($"""
            UPDATE listo_deliveries AS held SET
                outcome = CASE WHEN {supersedes} THEN r.outcome ELSE held.outcome END,
                detail = CASE WHEN {supersedes} THEN r.detail ELSE held.detail END,
                replayed_at = now()
              FROM unnest($2::text[], $3::text[], $4::text[]) AS r (id, outcome, detail)
             WHERE held.service_id = $1 AND held.id = r.id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.AddColumn(NpgsqlDbType.Text, rows, r => r.Id);
        command.AddColumn(NpgsqlDbType.Text, rows, r => r.Outcome);
        command.AddColumn(NpgsqlDbType.Text, rows, r => r.Detail);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<JournalPage> ListAsync(JournalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (afterTime, afterId) = query.After is { } cursor ? JournalCursor.Parse(cursor) : (DateTimeOffset.UnixEpoch, "");
        await using var command = dataSource.CreateCommand($"""
            SELECT id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail{(query.IncludeBody ? ", body" : "")}
              FROM listo_deliveries
             WHERE service_id = $1
               AND (received_at, id) > ($2, $3)
               AND ($4::text IS NULL OR outcome = $4)
               AND ($5::text IS NULL OR type = $5)
               AND ($6::timestamptz IS NULL OR received_at >= $6)
               AND ($7::timestamptz IS NULL OR received_at < $7)
             ORDER BY received_at, id
             LIMIT $8
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = afterTime.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = afterId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)query.Outcome ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)query.Type ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = query.From is { } from ? from.UtcDateTime : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = query.To is { } to ? to.UtcDateTime : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = query.Limit + 1 });

        var fetched = new List<JournalEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            fetched.Add(Read(reader, query.IncludeBody ? reader.GetFieldValue<byte[]>(8) : ReadOnlyMemory<byte>.Empty));
        }

        return JournalPage.From(fetched, query.Limit);
    }

    public async Task<JournalEntry?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        // One row per day the id was received on (a retry on a later UTC day has a row of its own): merged, oldest first.
        await using var command = dataSource.CreateCommand("""
            SELECT id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail, body
              FROM listo_deliveries WHERE service_id = $1 AND id = $2
             ORDER BY received_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        JournalEntry? merged = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = Read(reader, reader.GetFieldValue<byte[]>(8));
            merged = merged is null ? row : merged.Then(row);
        }

        return merged;
    }

    /// <summary>
    /// Keeps the day partitions (schema 0007): creates today's and the next <see cref="DaysAhead"/> days' partitions
    /// if missing, then drops every day partition whose whole day is before <paramref name="before"/>'s day, and
    /// deletes what the default partition holds from before it (normally nothing). A delivery is therefore kept
    /// from its retention up to a day longer. Returns how many deliveries went.
    /// </summary>
    public async Task<long> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await EnsurePartitionsAsync(DateOnly.FromDateTime(DateTime.UtcNow), cancellationToken);
        var cutoff = DateOnly.FromDateTime(before.UtcDateTime);
        long total = 0;
        foreach (var (name, day) in await PartitionsAsync(cancellationToken))
        {
            if (day >= cutoff)
            {
                continue;
            }

            // A brief lock on the journal (dropping a partition takes one): bounded, so a long reader cannot stall
            // the flushes queued behind it; the next round retries.
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var timeout = new NpgsqlCommand("SET LOCAL lock_timeout = '5s'", connection, transaction))
            {
                await timeout.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var count = new NpgsqlCommand($"SELECT count(*) FROM {name} WHERE service_id = $1", connection, transaction))
            {
                count.Parameters.Add(new NpgsqlParameter { Value = serviceId });
                total += (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            }

            await using (var drop = new NpgsqlCommand($"DROP TABLE {name}", connection, transaction))
            {
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await using var stray = dataSource.CreateCommand("DELETE FROM listo_deliveries_default WHERE service_id = $1 AND received_at < $2");
        stray.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        stray.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = before.UtcDateTime });
        total += await stray.ExecuteNonQueryAsync(cancellationToken);
        return total;
    }

    /// <summary>How many days ahead of today the journal's day partitions are created.</summary>
    public const int DaysAhead = 7;

    /// <summary>Creates the day partitions from <paramref name="today"/> through <see cref="DaysAhead"/> days later, where missing.</summary>
    public async Task EnsurePartitionsAsync(DateOnly today, CancellationToken cancellationToken = default)
    {
        for (var day = today; day <= today.AddDays(DaysAhead); day = day.AddDays(1))
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var timeout = new NpgsqlCommand("SET LOCAL lock_timeout = '5s'", connection, transaction))
            {
                await timeout.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var add = new NpgsqlCommand("SELECT listo_deliveries_add_day($1)", connection, transaction))
            {
                add.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = day });
                await add.ExecuteScalarAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>The journal's day partitions, by name and day.</summary>
    public async Task<IReadOnlyList<(string Name, DateOnly Day)>> PartitionsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'listo_deliveries'::regclass AND c.relname ~ '^listo_deliveries_[0-9]{8}$'
             ORDER BY c.relname
            """);
        var partitions = new List<(string, DateOnly)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            partitions.Add((name, DateOnly.ParseExact(name[^8..], "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return partitions;
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    private static JournalEntry Read(NpgsqlDataReader reader, ReadOnlyMemory<byte> body) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        body)
    {
        LastReceivedAt = reader.GetFieldValue<DateTimeOffset>(4),
        Attempts = reader.GetInt32(5),
    };
}
