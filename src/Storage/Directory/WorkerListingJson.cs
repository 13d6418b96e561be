using System.Text.Json;
using System.Text.Json.Serialization;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>
/// A worker's line in the <c>listing</c> column of its row: storage's own JSON of <see cref="WorkerSummary"/>, written
/// with the state and read by the worker directory. The grain state's JSON is never read for it.
/// </summary>
internal static class WorkerListingJson
{
    public static string? Write(WorkerSummary? listing) => listing is null ? null : JsonSerializer.Serialize(listing, WorkerListingJsonContext.Default.WorkerSummary);

    public static WorkerSummary Read(string json)
        => JsonSerializer.Deserialize(json, WorkerListingJsonContext.Default.WorkerSummary) ?? throw new JsonException("A worker listing is JSON null.");
}

[JsonSerializable(typeof(WorkerSummary))]
internal sealed partial class WorkerListingJsonContext : JsonSerializerContext;
