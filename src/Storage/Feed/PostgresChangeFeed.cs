using System.Globalization;
using System.Text.Json;
using Listo.Orleans.Grains;
using Npgsql;
using NpgsqlTypes;

namespace Listo.Orleans.Storage;

/// <summary>
/// The change feed in PostgreSQL (<c>listo_changes</c>, schema 0002). Rows are written by the
/// <see cref="StorageEngine"/>: with the state that caused them (a grain's outbox) or alone, in the engine's next
/// flush, idempotently. Reads are ordered by <c>(transaction id, id)</c> and only see transactions older than every
/// running one, so a cursor is never passed by a change committed later.
/// </summary>
public sealed class PostgresChangeFeed : IChangeFeed, IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly AppendSignal _appended = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _serviceId;
    private readonly StorageEngine _engine;

    public PostgresChangeFeed(NpgsqlDataSource dataSource, string serviceId, StorageEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _dataSource = dataSource;
        _serviceId = serviceId;
        _engine = engine;
        engine.FeedCommitted += _appended.Set;
    }

    public Task AppendAsync(EntityChange change, string? content, CancellationToken cancellationToken = default)
        => _engine.AppendAsync(change, content).WaitAsync(cancellationToken);

    public async Task<IReadOnlyList<EntityChange>> ReadEntityAsync(string entityType, string entityKey, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT entity_type, entity_key, client_id, worker_id, worker_profile_id, event_id, occurred_at, fields::text
              FROM listo_changes
             WHERE service_id = $1 AND entity_type = $2 AND entity_key = $3
             ORDER BY id DESC LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = entityType });
        command.Parameters.Add(new NpgsqlParameter { Value = entityKey });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var changes = new List<EntityChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new EntityChange(
                reader.GetString(0), reader.GetString(1), Text(reader, 2), Text(reader, 3), Text(reader, 4), reader.GetString(5), reader.GetString(6), Fields(reader.GetString(7))));
        }

        return changes;
    }

    public async Task<string?> ReadContentAsync(string entityType, string entityKey, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT content::text FROM listo_changes
             WHERE service_id = $1 AND entity_type = $2 AND entity_key = $3 AND content IS NOT NULL
             ORDER BY id DESC LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = entityType });
        command.Parameters.Add(new NpgsqlParameter { Value = entityKey });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<ChangePage> ReadAsync(ChangeQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (afterTx, afterId) = ParseCursor(query.After);
        // Order by the qualified column: a bare "tx" would bind to the text output column and sort 1000 before 999.
        await using var command = _dataSource.CreateCommand("""
            SELECT tx::text AS cursor_tx, id, entity_type, entity_key, client_id, worker_id, worker_profile_id, event_id, occurred_at, fields::text
              FROM listo_changes
             WHERE service_id = $1
               AND (tx, id) > ($2::text::xid8, $3)
               AND tx < pg_snapshot_xmin(pg_current_snapshot())
               AND ($4::text IS NULL OR client_id = $4)
               AND ($5::text IS NULL OR entity_type = $5)
               AND ($6::text IS NULL OR EXISTS (
                     SELECT 1 FROM jsonb_array_elements(fields) AS f
                      WHERE f->>'path' = $6 OR starts_with(f->>'path', $6 || '.') OR starts_with(f->>'path', $6 || '[')))
             ORDER BY listo_changes.tx, listo_changes.id
             LIMIT $7
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = afterTx.ToString(CultureInfo.InvariantCulture) });
        command.Parameters.Add(new NpgsqlParameter { Value = afterId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)query.ClientId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)query.EntityType ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = query.PathPrefix is { Length: > 0 } p ? p : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = query.Limit });

        var page = new List<FeedChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var change = new EntityChange(
                reader.GetString(2), reader.GetString(3), Text(reader, 4), Text(reader, 5), Text(reader, 6), reader.GetString(7), reader.GetString(8), Fields(reader.GetString(9)));
            page.Add(new FeedChange($"{reader.GetString(0)}.{reader.GetInt64(1).ToString(CultureInfo.InvariantCulture)}", query.Narrow(change) ?? change));
        }

        return new ChangePage(page, page.Count > 0 ? page[^1].Cursor : query.After ?? "0.0");
    }

    public Task WaitAsync(TimeSpan max, CancellationToken cancellationToken = default)
        => _appended.WaitAsync(max < PollInterval ? max : PollInterval, cancellationToken);

    /// <summary>Stops listening to the engine; the data source belongs to the silo.</summary>
    public void Dispose() => _engine.FeedCommitted -= _appended.Set;

    private static IReadOnlyList<FieldChange> Fields(string json) => JsonSerializer.Deserialize(json, ChangeJsonContext.Default.IReadOnlyListFieldChange) ?? [];

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Cursors are <c>{transaction id}.{id}</c>; empty means the start.</summary>
    private static (ulong Tx, long Id) ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return (0, 0);
        }

        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        return dot > 0
            && ulong.TryParse(cursor.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var tx)
            && long.TryParse(cursor.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? (tx, id)
            : throw new FormatException($"'{cursor}' is not a cursor of this feed.");
    }
}
