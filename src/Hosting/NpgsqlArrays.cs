using Npgsql;
using NpgsqlTypes;

namespace Listo.Orleans.Hosting;

/// <summary>Batches go to PostgreSQL as one array parameter per column, read back with <c>unnest</c>.</summary>
internal static class NpgsqlArrays
{
    public static void AddColumn<TRow, TValue>(this NpgsqlCommand command, NpgsqlDbType type, IReadOnlyList<TRow> rows, Func<TRow, TValue> column)
        => command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | type, Value = rows.Select(column).ToArray() });
}
