using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>
/// A worker's line in the <c>listing</c> column of its row: what its client's list shows that the row's key does not
/// already say, as a JSON array <c>[workerProfileId, fullName, eventId, occurredAtText]</c> (the worker id is the key's
/// tail; the instant is parsed from its text). Written with the state, read by the worker directory; the grain
/// state's JSON is never read for it.
/// </summary>
internal static class WorkerListingJson
{
    public static string? Write(WorkerSummary? listing)
        => listing is null ? null : JsonSerializer.Serialize(
            [listing.WorkerProfileId, listing.FullName, listing.Stamp.EventId, listing.Stamp.OccurredAtText], WorkerListingJsonContext.Default.StringArray);

    public static WorkerSummary Read(string workerId, string json)
    {
        var line = JsonSerializer.Deserialize(json, WorkerListingJsonContext.Default.StringArray);
        if (line is not [{ } profileId, var fullName, { } eventId, { } occurredAt])
        {
            throw new JsonException($"The listing of worker {workerId} is not [workerProfileId, fullName, eventId, occurredAtText].");
        }

        return new WorkerSummary(workerId, profileId, fullName,
            new EventStamp(eventId, DateTimeOffset.Parse(occurredAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), occurredAt));
    }
}

[JsonSerializable(typeof(string[]))]
internal sealed partial class WorkerListingJsonContext : JsonSerializerContext;
