using System.Text.Json;
using System.Text.Json.Nodes;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Tests.Support;

/// <summary>Builds Listo events shaped like listo-docs, with unique ids so tests never share grains.</summary>
internal static class ListoEvents
{
    private static long _sequence;

    public static string NewId(string prefix) => $"{prefix}_t{Interlocked.Increment(ref _sequence):x}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 26, 60)];

    public static DateTimeOffset Base { get; } = new(2026, 5, 3, 12, 0, 0, TimeSpan.Zero);

    public static string At(int seconds) => Base.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static JsonObject WorkerData(string clientId, string workerId, string profileId, string city = "Springfield", string phone = "+12025550199", string fullName = "Alex Kim")
        => new()
        {
            ["clientId"] = clientId,
            ["workerId"] = workerId,
            ["workerProfileId"] = profileId,
            ["email"] = "alex.kim@example.com",
            ["firstName"] = fullName.Split(' ')[0],
            ["lastName"] = fullName.Split(' ')[^1],
            ["fullName"] = fullName,
            ["phone"] = phone,
            ["dateOfBirth"] = "1992-08-14",
            ["address"] = new JsonObject { ["address1"] = "742 Evergreen Terrace", ["address2"] = null, ["city"] = city, ["isoCountryCode"] = "US", ["postalCode"] = "97402", ["zoneCode"] = "OR" },
            ["organizationUnit"] = new JsonObject { ["id"] = "lglsoorgu_" + clientId[^6..], ["name"] = "Engineering" },
            ["organizationLocation"] = new JsonObject { ["id"] = "lglsoorgl_" + clientId[^6..], ["name"] = "HQ" },
            ["contracts"] = new JsonArray(new JsonObject { ["id"] = "lglsoctc_" + workerId[^6..], ["clientId"] = clientId, ["status"] = "EXECUTED" }),
            ["futureField"] = new JsonObject { ["kept"] = true },
        };

    public static JsonObject ClientData(string clientId, string name = "Hudson - Mraz - EOR")
        => new()
        {
            ["clientId"] = clientId,
            ["name"] = name,
            ["address"] = new JsonObject { ["address1"] = "Emile Bypass", ["address2"] = null, ["city"] = "Horaciofort", ["isoCountryCode"] = "ET", ["postalCode"] = "61092-4164", ["zoneCode"] = null },
        };

    public static JsonObject Envelope(string eventId, string type, string occurredAt, string entityType, string entityId, JsonNode data, int dataVersion = 1)
        => new()
        {
            ["id"] = eventId,
            ["type"] = type,
            ["specVersion"] = 1,
            ["dataVersion"] = dataVersion,
            ["occurredAt"] = occurredAt,
            ["entity"] = new JsonObject { ["type"] = entityType, ["id"] = entityId },
            ["data"] = data,
        };

    public static JsonObject Worker(string eventId, string occurredAt, JsonObject data, string type = "worker.updated")
        => Envelope(eventId, type, occurredAt, "worker", (string)data["workerId"]!, data);

    public static JsonObject Client(string eventId, string occurredAt, JsonObject data)
        => Envelope(eventId, "client.created", occurredAt, "client", (string)data["clientId"]!, data);

    /// <summary>A worker snapshot as the gateway would build it, for grain tests.</summary>
    public static WorkerSnapshot Snapshot(string clientId, string workerId, string profileId, string eventId, int atSeconds, string city = "Springfield")
    {
        var data = WorkerData(clientId, workerId, profileId, city);
        return new WorkerSnapshot(clientId, workerId, profileId, Stamp(eventId, atSeconds), "Alex Kim", data.ToJsonString());
    }

    public static EventStamp Stamp(string eventId, int atSeconds) => new(eventId, Base.AddSeconds(atSeconds), At(atSeconds));

    public static string CityOfAddress(string addressJson) => JsonDocument.Parse(addressJson).RootElement.GetProperty("city").GetString()!;

    public static string City(JsonText snapshotData) => JsonDocument.Parse(snapshotData.Utf8).RootElement.GetProperty("address").GetProperty("city").GetString()!;
}
