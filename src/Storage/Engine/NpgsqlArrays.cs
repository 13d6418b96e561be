using Npgsql;
using NpgsqlTypes;

namespace Listo.Orleans.Storage;

/// <summary>Batches go to PostgreSQL as one array parameter per column, read back with <c>unnest</c>.</summary>
internal static class NpgsqlArrays
{
    public static void AddColumn<TRow, TValue>(this NpgsqlCommand command, NpgsqlDbType type, IReadOnlyList<TRow> rows, Func<TRow, TValue> column)
        => command.AddColumn(type, rows, (row, _) => column(row));

    public static void AddColumn<TRow, TValue>(this NpgsqlCommand command, NpgsqlDbType type, IReadOnlyList<TRow> rows, Func<TRow, int, TValue> column)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = column(rows[i], i);
        }

        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | type, Value = values });
    }
}
