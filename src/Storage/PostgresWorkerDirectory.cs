using System.Globalization;
using Listo.Orleans.Grains;
using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>
/// A client's workers from the worker rows of <c>listo_grain_state</c>: a range scan of the primary key over the keys
/// <c>worker:{clientId}/…</c> (bytewise, <c>COLLATE "C"</c> since schema 0006), reading only the summary fields of
/// each snapshot. The same rows whichever grain storage provider wrote them.
/// </summary>
public sealed class PostgresWorkerDirectory(NpgsqlDataSource dataSource, string serviceId) : IWorkerDirectory
{
    public async Task<IReadOnlyList<WorkerSummary>> ListAsync(string clientId, CancellationToken cancellationToken = default)
    {
        // Keys under the client share "worker:{clientId}/"; '0' is the byte after '/', so the range is exactly them.
        var from = GrainKeys.Worker(clientId, "");
        var to = string.Concat(from.AsSpan(0, from.Length - 1), "0");
        await using var command = dataSource.CreateCommand("""
            SELECT substr(grain_key, $4), s->>'workerProfileId', s->>'fullName', s->'stamp'->>'eventId', s->'stamp'->>'occurredAt', s->'stamp'->>'occurredAtText'
              FROM (SELECT grain_key, payload->'snapshot' AS s FROM listo_grain_state
                     WHERE service_id = $1 AND state_name = 'worker' AND grain_id_n0 = 0 AND grain_id_n1 = 0
                       AND grain_key >= $2 AND grain_key < $3) w
             WHERE s IS NOT NULL AND json_typeof(s) = 'object'
             ORDER BY grain_key
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        command.Parameters.Add(new NpgsqlParameter { Value = from.Length + 1 });
        var workers = new List<WorkerSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var stamp = new EventStamp(
                reader.GetString(3),
                DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                reader.GetString(5));
            workers.Add(new WorkerSummary(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), stamp));
        }

        return workers;
    }
}
