using System.Globalization;
using System.Text.Json;
using Listo.Orleans.Grains;
using Npgsql;
using NpgsqlTypes;

namespace Listo.Orleans.Hosting;

/// <summary>
/// The change feed in PostgreSQL (<c>listo_changes</c>, schema 0002). Appends of concurrent grains share one
/// idempotent statement (group commit); reads are ordered by <c>(transaction id, id)</c> and only see
/// transactions older than every running one, so a cursor is never passed by a change committed later.
/// </summary>
internal sealed class PostgresChangeFeed : IChangeFeed, IAsyncDisposable
{
    private const int MaxAppendsPerStatement = 256;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly AppendSignal _appended = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _serviceId;
    private readonly BatchWriter<IReadOnlyList<(EntityChange Change, string? Content)>> _appends;

    public PostgresChangeFeed(NpgsqlDataSource dataSource, string serviceId)
    {
        _dataSource = dataSource;
        _serviceId = serviceId;
        // Grouped by entity (a stable sort keeps each entity's changes in order), so two gateways appending the
        // same entity's history take its rows' locks in the same order.
        _appends = new(
            batch => InsertAsync([.. batch.SelectMany(changes => changes)
                .OrderBy(c => c.Change.EntityType, StringComparer.Ordinal).ThenBy(c => c.Change.EntityKey, StringComparer.Ordinal)]),
            MaxAppendsPerStatement);
    }

    public Task AppendAsync(IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return changes.Count == 0 ? Task.CompletedTask : _appends.AddAsync([.. changes.Select(c => (c, (string?)null))]).WaitAsync(cancellationToken);
    }

    public Task AppendAsync(EntityChange change, string content, CancellationToken cancellationToken = default)
        => _appends.AddAsync([(change, content)]).WaitAsync(cancellationToken);

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

    /// <summary>One statement for the appends of many grains; a change already in the feed is skipped.</summary>
    private async Task InsertAsync(IReadOnlyList<(EntityChange Change, string? Content)> appends)
    {
        var changes = appends.Select(a => a.Change).ToList();
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO listo_changes (service_id, entity_type, entity_key, event_id, client_id, worker_id, worker_profile_id, occurred_at, fields, content)
            SELECT $1, c.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::jsonb[]) AS c
            ON CONFLICT ON CONSTRAINT listo_changes_once DO NOTHING
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
        command.AddColumn(NpgsqlDbType.Text, changes, c => c.EntityType);
        command.AddColumn(NpgsqlDbType.Text, changes, c => c.EntityKey);
        command.AddColumn(NpgsqlDbType.Text, changes, c => c.EventId);
        command.AddColumn(NpgsqlDbType.Text, changes, c => c.ClientId);
        command.AddColumn(NpgsqlDbType.Text, changes, c => c.WorkerId);
        command.AddColumn(NpgsqlDbType.Text, changes, c => c.WorkerProfileId);
        command.AddColumn(NpgsqlDbType.Text, changes, c => c.OccurredAt);
        command.AddColumn(NpgsqlDbType.Text, changes, c => JsonSerializer.Serialize(c.Fields, ChangeJsonContext.Default.IReadOnlyListFieldChange));
        command.AddColumn(NpgsqlDbType.Text, appends, a => a.Content);
        await command.ExecuteNonQueryAsync();
        _appended.Set();
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
            var fields = JsonSerializer.Deserialize(reader.GetString(9), ChangeJsonContext.Default.IReadOnlyListFieldChange) ?? [];
            var change = new EntityChange(
                reader.GetString(2), reader.GetString(3), Text(reader, 4), Text(reader, 5), Text(reader, 6), reader.GetString(7), reader.GetString(8), fields);
            page.Add(new FeedChange($"{reader.GetString(0)}.{reader.GetInt64(1).ToString(CultureInfo.InvariantCulture)}", query.Narrow(change) ?? change));
        }

        return new ChangePage(page, page.Count > 0 ? page[^1].Cursor : query.After ?? "0.0");
    }

    public Task WaitAsync(TimeSpan max, CancellationToken cancellationToken = default)
        => _appended.WaitAsync(max < PollInterval ? max : PollInterval, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _appends.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

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
