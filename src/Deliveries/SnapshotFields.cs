using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Listo.Orleans.Grains;
using static Listo.Orleans.Deliveries.ListoEnvelope;

namespace Listo.Orleans.Deliveries;

/// <summary>
/// Reads a snapshot from a Listo <c>data</c> object, the same whether it came in a delivery's envelope or as the
/// answer to a refetch: the routing ids (each a valid <see cref="GrainKeys.IsValidId"/>) and the display name.
/// </summary>
internal static class SnapshotFields
{
    public static bool TryClient(JsonElement data, EventStamp stamp, JsonText raw, [NotNullWhen(true)] out ClientSnapshot? snapshot, out string problem)
    {
        snapshot = null;
        if (!TryId(data, "clientId", out var clientId, out problem))
        {
            return false;
        }

        TryString(data, "name", out var name);
        snapshot = new ClientSnapshot(clientId, stamp, name, raw);
        return true;
    }

    public static bool TryWorker(JsonElement data, EventStamp stamp, JsonText raw, [NotNullWhen(true)] out WorkerSnapshot? snapshot, out string problem)
    {
        snapshot = null;
        if (!TryId(data, "clientId", out var clientId, out problem)
            || !TryId(data, "workerId", out var workerId, out problem)
            || !TryId(data, "workerProfileId", out var workerProfileId, out problem))
        {
            return false;
        }

        TryString(data, "fullName", out var fullName);
        snapshot = new WorkerSnapshot(clientId, workerId, workerProfileId, stamp, fullName, raw);
        return true;
    }

    /// <summary>Ids become grain keys and URL path segments: <see cref="GrainKeys.IsValidId"/>.</summary>
    private static bool TryId(JsonElement data, string name, out string value, out string problem)
    {
        problem = "";
        if (!TryString(data, name, out value))
        {
            problem = $"data.{name} is required and must be a non-empty string.";
            return false;
        }

        if (!GrainKeys.IsValidId(value))
        {
            problem = $"data.{name} '{Truncate(value)}' is not a valid Listo id (at most {GrainKeys.MaxIdLength} characters, no '/', white space or control characters, not '.' or '..').";
            return false;
        }

        return true;
    }
}
