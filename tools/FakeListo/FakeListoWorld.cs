using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Listo.Orleans.Webhooks;

namespace Listo.Orleans.FakeListo;

/// <summary>
/// Listo-shaped clients and workers (the listo-docs payloads, with <c>links.self</c>) for the fake to serve, and
/// their delivery to a gateway as signed <c>client.created</c> / <c>worker.onboarded</c> events: the state a
/// receiver holds before an outage. <see cref="Remove"/> then deletes some at "Listo", and <see cref="Drift"/>
/// changes some of the others without a delivery, which is what <c>reconcile</c> must find.
/// </summary>
public static class FakeListoWorld
{
    public const string Instance = "inst_fake0001";

    public static string ClientPath(string clientId) => $"/v1/instance-integrations/{Instance}/clients/{clientId}";

    public static string WorkerPath(string clientId, string workerId) => $"/v2/instance-integrations/{Instance}/clients/{clientId}/workers/{workerId}";

    public static JsonObject Client(string clientId, string name) => new()
    {
        ["clientId"] = clientId,
        ["name"] = name,
        ["address"] = new JsonObject { ["address1"] = "Emile Bypass", ["address2"] = null, ["city"] = "Horaciofort", ["isoCountryCode"] = "ET", ["postalCode"] = "61092-4164", ["zoneCode"] = null },
        ["links"] = new JsonObject { ["self"] = ClientPath(clientId) },
    };

    public static JsonObject Worker(string clientId, string workerId, string workerProfileId, string fullName, string city) => new()
    {
        ["clientId"] = clientId,
        ["workerId"] = workerId,
        ["workerProfileId"] = workerProfileId,
        ["email"] = fullName.Replace(' ', '.').ToLowerInvariant() + "@example.com",
        ["firstName"] = fullName.Split(' ')[0],
        ["lastName"] = fullName.Split(' ')[^1],
        ["fullName"] = fullName,
        ["phone"] = "+12025550199",
        ["dateOfBirth"] = "1992-08-14",
        ["address"] = new JsonObject { ["address1"] = "742 Evergreen Terrace", ["address2"] = "Apt 3", ["city"] = city, ["isoCountryCode"] = "US", ["postalCode"] = "97402", ["zoneCode"] = "OR" },
        ["organizationUnit"] = new JsonObject { ["id"] = "lglsoorgu_" + clientId[^6..], ["name"] = "Engineering" },
        ["organizationLocation"] = new JsonObject { ["id"] = "lglsoorgl_" + clientId[^6..], ["name"] = "HQ" },
        ["contracts"] = new JsonArray(new JsonObject
        {
            ["id"] = "lglsoctc_" + workerId[^8..], ["clientId"] = clientId, ["status"] = "EXECUTED", ["jobTitle"] = "Engineer", ["startDate"] = "2026-05-02",
        }),
        ["links"] = new JsonObject { ["self"] = WorkerPath(clientId, workerId) },
    };

    /// <summary>
    /// Puts <paramref name="clients"/> clients and <paramref name="workers"/> workers (spread over the clients) into
    /// <paramref name="server"/>, and returns them as (event type, data) in the order to deliver them.
    /// </summary>
    public static IReadOnlyList<(string Type, JsonObject Data)> Seed(FakeListoServer server, int clients, int workers, string tag)
    {
        ArgumentNullException.ThrowIfNull(server);
        var entities = new List<(string, JsonObject)>(clients + workers);
        var clientIds = Enumerable.Range(0, Math.Max(clients, 1)).Select(c => $"lglsocli_{tag}{c:x6}").ToArray();
        foreach (var clientId in clientIds)
        {
            var data = Client(clientId, $"Client {clientId[^6..]} - EOR");
            server.Put(ClientPath(clientId), data);
            entities.Add(("client.created", data));
        }

        for (var w = 0; w < workers; w++)
        {
            var clientId = clientIds[w % clientIds.Length];
            var data = Worker(clientId, $"lglsowpr_{tag}{w:x8}", $"lglsowpf_{tag}{w:x8}", $"Person {w:x} Kim", "Springfield");
            server.Put(WorkerPath(clientId, (string)data["workerId"]!), data);
            entities.Add(("worker.onboarded", data));
        }

        return entities;
    }

    /// <summary>
    /// Delivers each entity to <paramref name="webhookUrl"/> as Listo would, signed with <paramref name="secret"/>,
    /// all stamped <paramref name="occurredAt"/>. Returns how many were not answered 200.
    /// </summary>
    public static async Task<int> DeliverAsync(
        HttpClient http, Uri webhookUrl, string secret, IReadOnlyList<(string Type, JsonObject Data)> entities, DateTimeOffset occurredAt, int parallel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var failed = 0;
        var at = occurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        await Parallel.ForEachAsync(
            entities,
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            async (entity, ct) =>
            {
                var id = "lglsoevt_" + Guid.NewGuid().ToString("N")[..20];
                var isClient = entity.Type == "client.created";
                var envelope = new JsonObject
                {
                    ["id"] = id,
                    ["type"] = entity.Type,
                    ["specVersion"] = 1,
                    ["dataVersion"] = 1,
                    ["occurredAt"] = at,
                    ["entity"] = new JsonObject
                    {
                        ["type"] = isClient ? "client" : "worker",
                        ["id"] = (string)entity.Data[isClient ? "clientId" : "workerId"]!,
                    },
                    ["data"] = entity.Data.DeepClone(),
                };
                var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
                var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json");
                request.Headers.Add("webhook-id", id);
                request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add("webhook-signature", WebhookSigner.Sign(secret, id, timestamp, body));
                using var response = await http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failed);
                }
            });
        return failed;
    }

    /// <summary>
    /// Changes the city of every <paramref name="every"/>-th worker the fake still holds, with no delivery. Returns
    /// their paths.
    /// </summary>
    public static IReadOnlyList<string> Drift(FakeListoServer server, IReadOnlyList<(string Type, JsonObject Data)> entities, int every, string city = "Shelbyville")
        => Pick(entities, every, 0).Where(data => server.Get((string)data["links"]!["self"]!) is not null).Select(data =>
        {
            var path = (string)data["links"]!["self"]!;
            var changed = data.DeepClone().AsObject();
            changed["address"]!["city"] = city;
            server.Put(path, changed);
            return path;
        }).ToList();

    /// <summary>Removes every <paramref name="every"/>-th worker (from the middle of each run of that many). Returns their paths.</summary>
    public static IReadOnlyList<string> Remove(FakeListoServer server, IReadOnlyList<(string Type, JsonObject Data)> entities, int every)
        => Pick(entities, every, every / 2).Select(data =>
        {
            var path = (string)data["links"]!["self"]!;
            server.Remove(path);
            return path;
        }).ToList();

    private static IEnumerable<JsonObject> Pick(IReadOnlyList<(string Type, JsonObject Data)> entities, int every, int offset)
        => every <= 0 ? [] : entities.Where(e => e.Type != "client.created").Select(e => e.Data).Where((_, i) => i % every == offset % every);
}
