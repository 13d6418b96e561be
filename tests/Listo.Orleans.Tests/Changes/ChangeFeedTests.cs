using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Changes;

/// <summary>Per-worker history and the change feed over the real gateway (embedded mode).</summary>
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

    private Task<(List<JsonElement> Changes, string Next)> ReadFeedAsync(string query) => ReadFeedAsync(gateway, query);

    private static List<string> Paths(JsonElement change) => change.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("path").GetString()!).ToList();

    private static System.Text.Json.Nodes.JsonArray Contracts(params (string Id, string Status)[] contracts)
        => new([.. contracts.Select(c => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["id"] = c.Id, ["status"] = c.Status })]);
}
