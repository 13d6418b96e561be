using Listo.Orleans.Grains;
using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>
/// A client's workers from the <c>listing</c> column of the worker rows of <c>listo_grain_state</c> (schema 0008): a
/// range scan of the primary key over the keys <c>worker:{clientId}/…</c> (bytewise, <c>COLLATE "C"</c> since schema
/// 0006). The storage engine writes a worker's line with its state; with Orleans' ADO.NET provider it is put right
/// after (<see cref="PutAsync"/>).
/// </summary>
public sealed class PostgresWorkerDirectory(NpgsqlDataSource dataSource, string serviceId) : IWorkerListings
{
    public async Task<IReadOnlyList<WorkerSummary>> ListAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var from = GrainKeys.Worker(clientId, "");
        await using var command = dataSource.CreateCommand("""
            SELECT substr(grain_key, $5), listing FROM listo_grain_state
             WHERE service_id = $1 AND state_name = $2 AND grain_id_n0 = 0 AND grain_id_n1 = 0
               AND grain_key >= $3 AND grain_key < $4 AND listing IS NOT NULL
             ORDER BY grain_key
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = StateNames.Worker });
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = KeyOrder.Successor(from) });
        command.Parameters.Add(new NpgsqlParameter { Value = from.Length + 1 });
        var workers = new List<WorkerSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            workers.Add(WorkerListingJson.Read(reader.GetString(0), reader.GetString(1)));
        }

        return workers;
    }

    public async Task PutAsync(string stateName, string grainKey, WorkerSummary listing)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE listo_grain_state SET listing = $4
             WHERE service_id = $1 AND state_name = $2 AND grain_id_n0 = 0 AND grain_id_n1 = 0 AND grain_key = $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
        command.Parameters.Add(new NpgsqlParameter { Value = grainKey });
        command.Parameters.Add(new NpgsqlParameter { Value = WorkerListingJson.Write(listing) });
        await command.ExecuteNonQueryAsync();
    }
}
