using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Listo.Bench.LoadGen;

/// <summary>One delivery: its body bytes and the entity it addresses.</summary>
internal sealed record Delivery(string Id, byte[] Body, string ClientId, string? WorkerId, DateTimeOffset OccurredAt);

/// <summary>
/// A Listo stream like a bulk import: clients are created, people are engaged at 1–3 clients (so each profile
/// change fans out into one worker.updated per client), each worker gets several versions. Arrival is mostly
/// in order with local reordering, plus duplicate retries and late (stale) retries of older versions.
/// </summary>
internal sealed class Workload
{
    public required List<Delivery> Deliveries { get; init; }

    public required Dictionary<(string Client, string Worker), (DateTimeOffset At, string Id)> ExpectedWorkers { get; init; }

    public required List<(string Client, string Worker, string Person)> Workers { get; init; }

    public int DistinctEvents { get; init; }

    public static Workload Generate(Options o)
    {
        var random = new Random(o.Seed);
        var run = o.RunTag;
        var start = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var clients = Enumerable.Range(0, o.Clients).Select(i => $"lglsocli_{run}c{i:D4}").ToList();
        var events = new List<Delivery>();
        foreach (var client in clients)
        {
            var data = new JsonObject
            {
                ["clientId"] = client,
                ["name"] = $"Client {client}",
                ["address"] = new JsonObject { ["address1"] = "Emile Bypass", ["address2"] = null, ["city"] = "Horaciofort", ["isoCountryCode"] = "ET", ["postalCode"] = "61092-4164", ["zoneCode"] = null },
            };
            events.Add(Make($"lglsoevt_{run}k{client[^4..]}", "client.created", start, "client", client, data, client, null));
        }

        var workers = new List<(string, string, string)>();
        var people = new List<(string Person, List<(string Client, string Worker)> Mine)>(o.People);
        for (var p = 0; p < o.People; p++)
        {
            var person = $"lglsowpf_{run}p{p:D6}";
            var engaged = clients.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
            var mine = engaged.Select((c, i) => (Client: c, Worker: $"lglsowpr_{run}w{p:D6}x{i}")).ToList();
            workers.AddRange(mine.Select(m => (m.Client, m.Worker, person)));
            people.Add((person, mine));
        }

        // Person by person (all of a person's versions, then the next person's), or with --interleave version by
        // version (every person's first version, then every second one), so the whole population is known early.
        var order = o.Interleave
            ? Enumerable.Range(0, o.VersionsPerWorker).SelectMany(v => Enumerable.Range(0, o.People).Select(p => (p, v)))
            : Enumerable.Range(0, o.People).SelectMany(p => Enumerable.Range(0, o.VersionsPerWorker).Select(v => (p, v)));
        var tick = 0;
        foreach (var (p, v) in order)
        {
            var (person, mine) = people[p];

            // One profile change at the person fans out into one event per engaged client, same instant.
            var at = start.AddSeconds(++tick);
            var city = $"City {p}-{v}";
            foreach (var (client, worker) in mine)
            {
                events.Add(Make($"lglsoevt_{run}e{p:D6}v{v}{client[^4..]}", v == 0 ? "worker.onboarded" : "worker.updated", at, "worker", worker,
                    WorkerData(client, worker, person, city, p, v), client, worker));
            }
        }

        // Mostly chronological (a bulk import drains roughly in order), reordered within a window. Retries are placed
        // by a sort key (position in that order, plus a delay), so the stream is built in O(n log n) at any size.
        var ordered = events.Select((e, i) => (e, key: i + random.Next(0, o.ReorderWindow))).OrderBy(x => x.key).Select(x => x.e).ToList();
        var placed = ordered.Select((e, i) => (Delivery: e, Key: (double)i)).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (random.NextDouble() < o.DuplicateShare)
            {
                placed.Add((ordered[i], i + random.Next(1, 200) + 0.5)); // a retry shortly after
            }
        }

        var workerEvents = ordered.Where(e => e.WorkerId is not null).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].WorkerId is not null && random.NextDouble() < o.StaleShare)
            {
                placed.Add((ordered[i], random.Next(i + 1, ordered.Count + 1) + 0.25)); // a late retry after newer versions
            }
        }

        var deliveries = placed.OrderBy(p => p.Key).Select(p => p.Delivery).ToList();

        var expected = new Dictionary<(string, string), (DateTimeOffset, string)>();
        foreach (var e in workerEvents)
        {
            var key = (e.ClientId, e.WorkerId!);
            if (!expected.TryGetValue(key, out var held) || Newer((e.OccurredAt, e.Id), held))
            {
                expected[key] = (e.OccurredAt, e.Id);
            }
        }

        return new Workload { Deliveries = deliveries, ExpectedWorkers = expected, Workers = workers, DistinctEvents = events.Count };
    }

    public static bool Newer((DateTimeOffset At, string Id) a, (DateTimeOffset At, string Id) b)
        => a.At != b.At ? a.At > b.At : string.CompareOrdinal(a.Id, b.Id) > 0;

    private static JsonObject WorkerData(string client, string worker, string person, string city, int p, int v) => new()
    {
        ["clientId"] = client,
        ["workerId"] = worker,
        ["workerProfileId"] = person,
        ["email"] = $"person{p}@example.com",
        ["firstName"] = "Alex",
        ["lastName"] = $"Kim{p}",
        ["fullName"] = $"Alex Kim{p}",
        ["phone"] = $"+1202555{v:D4}",
        ["dateOfBirth"] = "1992-08-14",
        ["address"] = new JsonObject { ["address1"] = "742 Evergreen Terrace", ["address2"] = "Apt 3", ["city"] = city, ["isoCountryCode"] = "US", ["postalCode"] = "97402", ["zoneCode"] = "OR" },
        ["organizationUnit"] = new JsonObject { ["id"] = "lglsoorgu_uVwPa92qXz", ["name"] = "Engineering" },
        ["organizationLocation"] = new JsonObject { ["id"] = "lglsoorgl_uTpQa83jYx", ["name"] = "Springfield HQ" },
        ["contracts"] = new JsonArray(new JsonObject
        {
            ["id"] = $"lglsoctc_{worker[^12..]}", ["clientId"] = client, ["name"] = $"Alex Kim{p} — Senior Engineer", ["status"] = "EXECUTED",
            ["billingFrequency"] = "MONTHLY", ["isoCountryCode"] = "US", ["jobTitle"] = "Senior Engineer", ["startDate"] = "2026-05-02",
            ["contractEndDate"] = null, ["createdAt"] = "2026-04-28T17:09:11.000Z", ["engagementType"] = "EOR", ["managerId"] = "lglsousr_uXYZxLtq9ABvCdEf2",
        }),
        ["links"] = new JsonObject { ["self"] = $"/v2/instance-integrations/inst_abc123xyz/clients/{client}/workers/{worker}" },
    };

    private static Delivery Make(string id, string type, DateTimeOffset at, string entityType, string entityId, JsonObject data, string client, string? worker)
    {
        var envelope = new JsonObject
        {
            ["id"] = id,
            ["type"] = type,
            ["specVersion"] = 1,
            ["dataVersion"] = 1,
            ["occurredAt"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["entity"] = new JsonObject { ["type"] = entityType, ["id"] = entityId },
            ["data"] = data,
        };
        return new Delivery(id, Encoding.UTF8.GetBytes(envelope.ToJsonString()), client, worker, at);
    }
}
