using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Changes;

/// <summary>Per-worker history and the change feed over the real gateway (embedded mode).</summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class ChangeFeedTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task AddressAndPhoneChanges_AreInTheHistoryAndTheFeed_AndAReorderedContractsArrayIsNot()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var v1 = ListoEvents.WorkerData(client, worker, person);
        v1["contracts"] = Contracts(("c1", "EXECUTED"), ("c2", "DRAFT"));
        var v2 = v1.DeepClone().AsObject();
        v2["address"]!["city"] = "Shelbyville";
        var v3 = v2.DeepClone().AsObject();
        v3["contracts"] = Contracts(("c2", "DRAFT"), ("c1", "EXECUTED"));
        var v4 = v3.DeepClone().AsObject();
        v4["phone"] = "+12025550100";

        var start = (await ReadFeedAsync($"clientId={client}")).Next;
        var events = new[] { v1, v2, v3, v4 }.Select((data, i) => ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(i + 1), data)).ToList();
        foreach (var envelope in events)
        {
            await gateway.DeliverAsync(envelope, "applied");
        }

        await gateway.DeliverAsync(events[1], "duplicate");

        var (status, history) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}/changes");
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = history.GetProperty("changes").EnumerateArray().Select(Paths).ToList();
        Assert.Equal(3, paths.Count); // v4, v2, v1: the reordered contracts (v3) changed nothing
        Assert.Equal(["phone"], paths[0]);
        Assert.Equal(["address.city"], paths[1]);
        Assert.Contains("contracts", paths[2]);

        var feed = await ReadFeedAsync($"clientId={client}&after={start}");
        Assert.Equal([(string)events[0]["id"]!, (string)events[1]["id"]!, (string)events[3]["id"]!], feed.Changes.Select(c => c.GetProperty("eventId").GetString()));
        var city = feed.Changes[1].GetProperty("fields")[0];
        Assert.Equal(("address.city", "Springfield", "Shelbyville"), (city.GetProperty("path").GetString(), city.GetProperty("from").GetString(), city.GetProperty("to").GetString()));

        var addressOnly = await ReadFeedAsync($"clientId={client}&after={start}&path=address");
        Assert.Equal(2, addressOnly.Changes.Count); // the first snapshot's address, then the city
        Assert.All(addressOnly.Changes.SelectMany(Paths), p => Assert.StartsWith("address", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientChanges_AreInTheFeed_AndANewerSnapshotWithTheSameContentIsNot()
    {
        var client = ListoEvents.NewId("lglsocli");
        var start = (await ReadFeedAsync($"clientId={client}&entityType=client")).Next;
        var created = ListoEvents.Client(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), ListoEvents.ClientData(client));
        var same = ListoEvents.Client(ListoEvents.NewId("lglsoevt"), ListoEvents.At(2), ListoEvents.ClientData(client));
        var renamed = ListoEvents.Client(ListoEvents.NewId("lglsoevt"), ListoEvents.At(3), ListoEvents.ClientData(client, name: "Hudson - Mraz - Payroll"));
        foreach (var envelope in new[] { created, same, renamed })
        {
            await gateway.DeliverAsync(envelope, "applied");
        }

        var feed = await ReadFeedAsync($"clientId={client}&entityType=client&after={start}");
        Assert.Equal([(string)created["id"]!, (string)renamed["id"]!], feed.Changes.Select(c => c.GetProperty("eventId").GetString()));
        var name = Assert.Single(feed.Changes[1].GetProperty("fields").EnumerateArray());
        Assert.Equal(("name", "Hudson - Mraz - EOR", "Hudson - Mraz - Payroll"), (name.GetProperty("path").GetString(), name.GetProperty("from").GetString(), name.GetProperty("to").GetString()));
        Assert.All(feed.Changes, c => Assert.False(c.TryGetProperty("workerId", out _)));
    }

    [Fact]
    public async Task PersonChanges_FollowTheProfile_OnceAcrossClients_AndNotForEngagementFields()
    {
        var (clientA, clientB, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpf"));
        var (workerA, workerB) = (ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpr"));
        var start = (await ReadFeedAsync("entityType=person&limit=1000")).Next;

        // Listo fans a person's change out to every client: the address arrives twice, the person changes once.
        var steps = new (string Client, JsonObject Data)[]
        {
            (clientA, ListoEvents.WorkerData(clientA, workerA, person)),
            (clientB, ListoEvents.WorkerData(clientB, workerB, person)),
            (clientA, ListoEvents.WorkerData(clientA, workerA, person, city: "Shelbyville")),
            (clientB, ListoEvents.WorkerData(clientB, workerB, person, city: "Shelbyville")),
            (clientB, WithTitle(ListoEvents.WorkerData(clientB, workerB, person, city: "Shelbyville"), "Staff Engineer")),
            (clientA, ListoEvents.WorkerData(clientA, workerA, person, city: "Shelbyville", phone: "+12025550100")),
        };
        var events = steps.Select((step, i) => ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(i + 1), step.Data)).ToList();
        foreach (var envelope in events)
        {
            await gateway.DeliverAsync(envelope, "applied");
        }

        var changes = await ReadUntilAsync(gateway, $"entityType=person&after={start}", c => c.GetProperty("workerProfileId").GetString() == person, 3);
        Assert.Equal([(string)events[0]["id"]!, (string)events[2]["id"]!, (string)events[5]["id"]!], changes.Select(c => c.GetProperty("eventId").GetString()));
        Assert.Equal(["address.city"], Paths(changes[1]));
        Assert.Equal(["phone"], Paths(changes[2]));
        Assert.All(changes, c => Assert.False(c.TryGetProperty("clientId", out _)));
    }

    [Fact]
    public async Task LongPoll_AnswersWithinASecondOfTheDelivery()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var start = (await ReadFeedAsync($"clientId={client}")).Next;
        var poll = ReadFeedAsync($"clientId={client}&after={start}&wait=20");
        await Task.Delay(500);
        Assert.False(poll.IsCompleted);

        // Within a second of the delivery's 200 (the change is in the feed before it), however long the delivery
        // itself took on a loaded machine.
        await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), ListoEvents.WorkerData(client, worker, person)), "applied");
        var sinceAck = Stopwatch.StartNew();
        var answered = await poll;
        Assert.Single(answered.Changes);
        Assert.InRange(sinceAck.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=abc")]
    [InlineData("wait=31")]
    [InlineData("entityType=pet")]
    [InlineData("after=not-a-cursor")]
    public async Task BadFeedParameters_Are400ProblemsNamingTheParameter(string query)
    {
        var (status, body) = await gateway.GetAsync($"/v1/changes?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(query.Split('=')[0], body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    internal static async Task<(List<JsonElement> Changes, string Next)> ReadFeedAsync(WebhookClient reader, string query)
    {
        var (status, body) = await reader.GetAsync($"/v1/changes?{query}");
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body}");
        return (body.GetProperty("changes").EnumerateArray().ToList(), body.GetProperty("next").GetString()!);
    }

    /// <summary>Every change the feed shows now for <paramref name="query"/> (filters only), page by page from the start.</summary>
    internal static async Task<List<JsonElement>> ReadWholeFeedAsync(WebhookClient reader, string query)
    {
        var all = new List<JsonElement>();
        var after = "";
        while (true)
        {
            var (changes, next) = await ReadFeedAsync(reader, $"{query}&limit=1000&after={after}");
            if (changes.Count == 0)
            {
                return all;
            }

            all.AddRange(changes);
            after = next;
        }
    }

    /// <summary>Reads the feed from the query's cursor until <paramref name="count"/> changes match, or 10 s pass.</summary>
    internal static async Task<List<JsonElement>> ReadUntilAsync(WebhookClient reader, string query, Func<JsonElement, bool> match, int count)
    {
        var found = new List<JsonElement>();
        var deadline = Stopwatch.StartNew();
        var next = query;
        while (found.Count < count && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var page = await ReadFeedAsync(reader, $"{next}&limit=1000&wait=1");
            found.AddRange(page.Changes.Where(match));
            next = string.Join('&', query.Split('&').Where(p => !p.StartsWith("after=", StringComparison.Ordinal)).Append($"after={page.Next}"));
        }

        // One more read: anything past the expected count is a change that should not exist.
        found.AddRange((await ReadFeedAsync(reader, $"{next}&limit=1000")).Changes.Where(match));
        return found;
    }

    private Task<(List<JsonElement> Changes, string Next)> ReadFeedAsync(string query) => ReadFeedAsync(gateway, query);

    private static JsonObject WithTitle(JsonObject data, string title)
    {
        data["jobTitle"] = title;
        return data;
    }

    private static List<string> Paths(JsonElement change) => change.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("path").GetString()!).ToList();

    private static System.Text.Json.Nodes.JsonArray Contracts(params (string Id, string Status)[] contracts)
        => new([.. contracts.Select(c => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["id"] = c.Id, ["status"] = c.Status })]);
}
