using System.Text.Json;
using System.Text.Json.Serialization;

namespace Listo.Orleans.Admin;

/// <summary>
/// Where an interrupted <c>reconcile</c> resumes: the scope it walks, the range and the key before which every entity
/// is finished (<see cref="ReconcileWatermark"/>), and the counts and failures of those. Written as the walk goes (to a
/// temporary file, then renamed), removed when the walk ends.
/// </summary>
internal sealed record ReconcileCheckpoint(
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("range")] int Range,
    [property: JsonPropertyName("after")] string After,
    [property: JsonPropertyName("counts")] Dictionary<string, long> Counts,
    [property: JsonPropertyName("failures")] List<string> Failures)
{
    public static async Task<ReconcileCheckpoint?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(file, ReconcileJsonContext.Default.ReconcileCheckpoint, cancellationToken);
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(file, this, ReconcileJsonContext.Default.ReconcileCheckpoint, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }
}

[JsonSerializable(typeof(ReconcileCheckpoint))]
internal sealed partial class ReconcileJsonContext : JsonSerializerContext;
