using Listo.Orleans.Grains;
using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>
/// Every worker and client this deployment holds a snapshot of, from the keys of <c>listo_grain_state</c>, for a
/// walk over all of them (<c>listo-admin reconcile</c>). Keys are read in bytewise order a page at a time (a range scan
/// of the primary key), so a walk can stop and resume after the last key it finished.
/// </summary>
public sealed class PostgresEntityKeys(NpgsqlDataSource dataSource, string serviceId) : IAsyncDisposable
{
    /// <summary>Keys of one state name from <paramref name="From"/> (inclusive) to <paramref name="Before"/> (exclusive).</summary>
    public sealed record KeyRange(string StateName, string From, string Before);

    /// <summary>
    /// The ranges to walk, clients first: every client and worker, or with <paramref name="clientId"/> that client and
    /// its workers. ';' is the byte after ':', '0' the byte after '/', and no key holds a control character, so each
    /// range holds exactly its keys.
    /// </summary>
    public static IReadOnlyList<KeyRange> Ranges(string? clientId)
    {
        if (clientId is null)
        {
            return
            [
                new(StateNames.Client, GrainKeys.ClientPrefix, KeyOrder.Successor(GrainKeys.ClientPrefix)),
                new(StateNames.Worker, GrainKeys.WorkerPrefix, KeyOrder.Successor(GrainKeys.WorkerPrefix)),
            ];
        }

        var client = GrainKeys.Client(clientId);
        var workers = GrainKeys.Worker(clientId, "");
        return
        [
            new(StateNames.Client, client, client + "\u0001"),
            new(StateNames.Worker, workers, KeyOrder.Successor(workers)),
        ];
    }

    public static PostgresEntityKeys Create(string connectionString, string serviceId) => new(NpgsqlDataSource.Create(connectionString), serviceId);

    /// <summary>Up to <paramref name="limit"/> keys of <paramref name="range"/> after <paramref name="after"/> ("" for all), in order.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(KeyRange range, string after, int limit, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT grain_key", range, after, " ORDER BY grain_key LIMIT $6");
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var keys = new List<string>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    /// <summary>How many keys <paramref name="range"/> holds after <paramref name="after"/>.</summary>
    public async Task<long> CountAsync(KeyRange range, string after, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT count(*)", range, after, "");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private NpgsqlCommand Command(string select, KeyRange range, string after, string tail)
    {
        ArgumentNullException.ThrowIfNull(range);
        var command = dataSource.CreateCommand(select + """
             FROM listo_grain_state
             WHERE service_id = $1 AND state_name = $2 AND grain_id_n0 = 0 AND grain_id_n1 = 0
               AND grain_key >= $3 AND grain_key > $4 AND grain_key < $5 AND payload IS NOT NULL
            """ + tail);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = range.StateName });
        command.Parameters.Add(new NpgsqlParameter { Value = range.From });
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        command.Parameters.Add(new NpgsqlParameter { Value = range.Before });
        return command;
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
