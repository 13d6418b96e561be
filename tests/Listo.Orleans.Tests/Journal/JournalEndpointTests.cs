using System.Net;
using System.Text;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Journal;

/// <summary>The delivery journal over the real gateway (embedded mode): what is kept, and GET /v1/deliveries.</summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class JournalEndpointTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task EveryAuthenticDelivery_IsJournaled_WithItsOutcomeAndRawBody_AndAForgedOneIsNot()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var applied = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), ListoEvents.WorkerData(client, worker, person));
        await gateway.DeliverAsync(applied, "applied");
        await gateway.DeliverAsync(applied, "duplicate"); // Listo's retry of the same delivery

        var unknownType = ListoEvents.Envelope(ListoEvents.NewId("lglsoevt"), "worker.offboarded", ListoEvents.At(2), "worker", worker, ListoEvents.WorkerData(client, worker, person));
        await gateway.DeliverAsync(unknownType, "ignored");

        // Authentic but not an envelope: still a 400, and kept byte for byte.
        var malformedId = ListoEvents.NewId("msg");
        var malformed = Encoding.UTF8.GetBytes("{\"id\":\"" + malformedId + "\",\"type\":\"worker.updated\",\"occurredAt\":\"2026-05-03T12:00:09Z\",\"data\":[] }");
        using (var refused = await gateway.PostRawAsync(malformed, malformedId))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        var forgedId = ListoEvents.NewId("msg");
        using (var forged = await gateway.PostRawAsync(malformed, forgedId, secret: "whsec_" + Convert.ToBase64String(new byte[32])))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        var listed = await gateway.ReadJournalAsync($"from={Uri.EscapeDataString(from.ToString("O"))}");
        Assert.Equal("applied", listed[(string)applied["id"]!].GetProperty("outcome").GetString());
        Assert.Equal("ignored", listed[(string)unknownType["id"]!].GetProperty("outcome").GetString());
        Assert.Equal("quarantined", listed[malformedId].GetProperty("outcome").GetString());
        Assert.False(listed.ContainsKey(forgedId));
        Assert.Equal("worker.updated", listed[malformedId].GetProperty("type").GetString());
        Assert.Equal("2026-05-03T12:00:09Z", listed[malformedId].GetProperty("occurredAt").GetString());

        var (status, detail) = await gateway.GetAsync($"/v1/deliveries/{malformedId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Encoding.UTF8.GetString(malformed), detail.GetProperty("body").GetString());
        Assert.Contains("incomplete", detail.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (_, twice) = await gateway.GetAsync($"/v1/deliveries/{applied["id"]}");
        Assert.Equal(2, twice.GetProperty("attempts").GetInt32());
        Assert.Equal("applied", twice.GetProperty("outcome").GetString()); // the retry's "duplicate" does not hide it
        Assert.Equal(applied.ToJsonString(), twice.GetProperty("body").GetString());

        var (missing, _) = await gateway.GetAsync($"/v1/deliveries/{forgedId}");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Theory]
    [InlineData("workerId", new byte[] { 0xff })]
    [InlineData("fullName", new byte[] { 0xc3 })]
    [InlineData("clientId", new byte[] { 0xed, 0xa0, 0x80 })] // an encoded surrogate
    public async Task InvalidUtf8InASignedBody_Is400InvalidEnvelope_AndQuarantinedAsBase64(string field, byte[] bad)
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var id = ListoEvents.NewId("lglsoevt");
        var text = ListoEvents.Worker(id, ListoEvents.At(1), ListoEvents.WorkerData(client, worker, person)).ToJsonString();
        var value = field switch { "workerId" => worker, "clientId" => client, _ => "Alex Kim" };
        var at = text.IndexOf($"\"{field}\":\"{value}\"", StringComparison.Ordinal) + field.Length + 4;
        var utf8 = Encoding.UTF8.GetBytes(text[..at]);
        byte[] body = [.. utf8, .. bad, .. Encoding.UTF8.GetBytes(text[at..])];

        using var refused = await gateway.PostRawAsync(body, id);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("invalid-envelope", problem, StringComparison.Ordinal);
        Assert.Contains("UTF-8", problem, StringComparison.Ordinal);

        var (status, detail) = await gateway.GetAsync($"/v1/deliveries/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("quarantined", detail.GetProperty("outcome").GetString());
        Assert.Equal(body, Convert.FromBase64String(detail.GetProperty("bodyBase64").GetString()!));
        Assert.False(detail.TryGetProperty("body", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}")).Status);
    }

    [Fact]
    public async Task Filters_AndCursorPaging_WalkTheJournalOldestFirst()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var type = "worker.probe-" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var envelope = ListoEvents.Envelope(ListoEvents.NewId("lglsoevt"), type, ListoEvents.At(i), "worker", "w", new System.Text.Json.Nodes.JsonObject());
            await gateway.DeliverAsync(envelope, "ignored");
            ids.Add((string)envelope["id"]!);
        }

        var paged = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var (status, page) = await gateway.GetAsync($"/v1/deliveries?type={type}&outcome=ignored&limit=2{(after is null ? "" : $"&after={after}")}");
            Assert.Equal(HttpStatusCode.OK, status);
            paged.AddRange(page.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
            after = page.TryGetProperty("next", out var next) ? next.GetString() : null;
            pages++;
        }
        while (after is not null);

        Assert.Equal(ids, paged);
        Assert.Equal(3, pages);
        var (_, none) = await gateway.GetAsync($"/v1/deliveries?type={type}&to={Uri.EscapeDataString(from.ToString("O"))}");
        Assert.Empty(none.GetProperty("deliveries").EnumerateArray());
        var (_, applied) = await gateway.GetAsync($"/v1/deliveries?type={type}&outcome=applied");
        Assert.Empty(applied.GetProperty("deliveries").EnumerateArray());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("outcome=lost", "outcome")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01", "to")]
    [InlineData("after=not-a-cursor", "after")]
    public async Task BadJournalParameters_Are400ProblemsNamingTheParameter(string query, string parameter)
    {
        var (status, body) = await gateway.GetAsync($"/v1/deliveries?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(parameter, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
