using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Listo.Orleans.FakeListo;
using Listo.Orleans.Refetch;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Refetching;

/// <summary>
/// <c>POST …/refresh</c> through the real gateway against the fake Listo over sockets. Deliveries occur in May 2026;
/// a refetch is stamped now, so it is newer than all of them. Tests in this class share the fake and run one by one.
/// </summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class RefreshEndpointTests(RefetchGatewayFixture gateway) : IClassFixture<RefetchGatewayFixture>
{
    private readonly FakeListoServer _listo = gateway.Listo;

    [Fact]
    public async Task Refresh_AppliesNewerData_ThenIsUnchanged_AndAnOlderLateDeliveryIsStale()
    {
        Calm();
        var (client, worker, person, path) = await DeliverWorkerAsync("Springfield");
        _listo.Put(path, FakeListoWorld.Worker(client, worker, person, "Alex Kim", "Shelbyville"));

        var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("applied", body.GetProperty("outcome").GetString());
        var refetchedAt = body.GetProperty("refetchedAt").GetString()!;

        var (_, held) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
        Assert.Equal("Shelbyville", held.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
        Assert.Equal(refetchedAt, held.GetProperty("occurredAt").GetString());
        Assert.Equal("refetch:" + refetchedAt, held.GetProperty("eventId").GetString());

        var (_, changes) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}/changes");
        var change = changes.GetProperty("changes")[0];
        Assert.Equal("refetch", change.GetProperty("source").GetString());
        Assert.Equal("address.city", change.GetProperty("fields")[0].GetProperty("path").GetString());

        var (_, personView) = await gateway.GetAsync($"/v1/people/{person}");
        Assert.Equal(refetchedAt, personView.GetProperty("engagements")[0].GetProperty("occurredAt").GetString());

        (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("unchanged", body.GetProperty("outcome").GetString());

        // Emitted (May 2026) before the refetch was sent, received after it: it must not overwrite what Listo said.
        await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(20), FakeListoWorld.Worker(client, worker, person, "Alex Kim", "Ogdenville")), "stale");
        (_, held) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
        Assert.Equal("Shelbyville", held.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WrappedAndBareAnswers_AreBothApplied(bool wrap)
    {
        Calm();
        _listo.Wrap = wrap;
        try
        {
            var (client, worker, person, path) = await DeliverWorkerAsync("Springfield");
            _listo.Put(path, FakeListoWorld.Worker(client, worker, person, "Alex Kim", wrap ? "Wrapped City" : "Bare City"));

            var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            var (_, held) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
            var snapshot = held.GetProperty("snapshot");
            Assert.Equal(wrap ? "Wrapped City" : "Bare City", snapshot.GetProperty("address").GetProperty("city").GetString());
            Assert.False(snapshot.TryGetProperty("data", out _));
        }
        finally
        {
            _listo.Wrap = true;
        }
    }

    [Fact]
    public async Task AnAnswerWithoutLinks_IsApplied_AndTheEntityCanStillBeRefetched()
    {
        Calm();
        var (client, worker, person, path) = await DeliverWorkerAsync("Springfield");
        var bare = FakeListoWorld.Worker(client, worker, person, "Alex Kim", "Shelbyville");
        bare.Remove("links");
        _listo.Put(path, bare);

        var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("applied", body.GetProperty("outcome").GetString());

        // The snapshot now has no links.self of its own; the path it was fetched from is kept for the next refetch.
        (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("unchanged", body.GetProperty("outcome").GetString());

        // Both refreshes reached Listo (an attempt that outlived its 0.5 s timeout on a busy machine is asked again).
        Assert.True(_listo.Stats().ByStatus["200"] >= 2, $"Listo answered {_listo.Stats().ByStatus["200"]} times");
    }

    [Fact]
    public async Task Listo404_IsGone_AndTheEntityIsKeptAndMarked()
    {
        Calm();
        var (client, worker, _, path) = await DeliverWorkerAsync("Springfield");
        Assert.True(_listo.Remove(path));

        var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("gone", body.GetProperty("outcome").GetString());

        var (readStatus, held) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
        Assert.Equal(HttpStatusCode.OK, readStatus);
        Assert.Equal(body.GetProperty("refetchedAt").GetString(), held.GetProperty("goneAt").GetString());
        Assert.Equal("Springfield", held.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
    }

    [Fact]
    public async Task Listo500_AfterTheRetries_Is502()
    {
        Calm();
        var (client, worker, _, _) = await DeliverWorkerAsync("Springfield");
        _listo.Faults = new() { FailRate = 1 };

        var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("urn:listo-orleans:problem:listo-failed", body.GetProperty("type").GetString());
        Assert.Contains("500", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, _listo.Stats().ByStatus["500"]); // the first attempt and Listo:Retries = 2
    }

    [Fact]
    public async Task Listo429_IsRetriedAfterItsRetryAfter_ThenApplied()
    {
        Calm();
        var (client, worker, person, path) = await DeliverWorkerAsync("Springfield");
        _listo.Put(path, FakeListoWorld.Worker(client, worker, person, "Alex Kim", "Shelbyville"));
        _listo.Faults = new() { FailFirst = 1, FailFirstStatus = 429, RetryAfterSeconds = 2 };

        var clock = Stopwatch.StartNew();
        var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("applied", body.GetProperty("outcome").GetString());
        Assert.Equal(1, _listo.Stats().ByStatus["429"]);

        // The backoff alone would retry after about 0.5 s; Retry-After said 2.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"retried after {clock.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task Listo429_AskingForALongerWaitThanTheRefetchHas_Is502AtOnce_PassingItsRetryAfterOn()
    {
        Calm();
        var (client, worker, _, _) = await DeliverWorkerAsync("Springfield");
        _listo.Faults = new() { ThrottleRate = 1, RetryAfterSeconds = 60 }; // the fixture's Listo:TimeoutSeconds is 4

        // Waiting it out could only end in a 504 that hides what Listo said; Listo is asked once.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.Internal, $"/v1/clients/{client}/workers/{worker}/refresh"));
        request.Headers.Authorization = new("Bearer", GatewayFixture.QueryKey);
        using var response = await gateway.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
        Assert.Contains("urn:listo-orleans:problem:listo-failed", body, StringComparison.Ordinal);
        Assert.Contains("asked for a wait of 60 s (Retry-After)", body, StringComparison.Ordinal);
        Assert.Equal(1, _listo.Stats().Requests);
        Calm();
    }

    [Theory]
    [InlineData(false, "did not answer within")]
    [InlineData(true, "did not send the whole answer within")] // headers at once: only the refetch's own deadline ends it
    public async Task SlowListo_Is504(bool bodyHeldBack, string detail)
    {
        Calm();
        var (client, worker, _, _) = await DeliverWorkerAsync("Springfield");
        _listo.Faults = new() { SlowRate = 1, SlowBody = bodyHeldBack, SlowMilliseconds = 30_000 };

        var clock = Stopwatch.StartNew();
        var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Equal("urn:listo-orleans:problem:listo-timeout", body.GetProperty("type").GetString());
        Assert.Contains(detail, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"answered after {clock.Elapsed.TotalSeconds:0.0} s");
        Calm();
    }

    [Fact]
    public async Task AnAnswerOverTheSizeLimit_Is502_AndIsNotApplied()
    {
        Calm();
        var (client, worker, person, path) = await DeliverWorkerAsync("Springfield");
        var huge = FakeListoWorld.Worker(client, worker, person, "Alex Kim", "Shelbyville");
        huge["notes"] = new string('x', ListoApiClient.MaxAnswerBytes);
        _listo.Put(path, huge);

        var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Contains("larger than 4 MB", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (_, held) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
        Assert.Equal("Springfield", held.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
    }

    [Fact]
    public async Task UnknownEntities_Are404_AndRefreshIsOnlyOnTheInternalListener_WithAKey()
    {
        Calm();
        var (status, _) = await gateway.PostQueryAsync($"/v1/clients/{ListoEvents.NewId("lglsocli")}/workers/{ListoEvents.NewId("lglsowpr")}/refresh");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await gateway.PostQueryAsync($"/v1/clients/{ListoEvents.NewId("lglsocli")}/refresh");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await gateway.PostQueryAsync($"/v1/clients/{ListoEvents.NewId("lglsocli")}/refresh", key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);

        using var ingress = await gateway.Http.PostAsync(new Uri(gateway.Ingress, $"/v1/clients/{ListoEvents.NewId("lglsocli")}/refresh"), null);
        Assert.Equal(HttpStatusCode.NotFound, ingress.StatusCode);
        Assert.Equal(0, _listo.Stats().Requests);
    }

    [Fact]
    public async Task ClientRefresh_AppliesTheNewName()
    {
        Calm();
        var client = ListoEvents.NewId("lglsocli");
        var data = FakeListoWorld.Client(client, "Old name");
        await gateway.DeliverAsync(ListoEvents.Client(ListoEvents.NewId("lglsoevt"), ListoEvents.At(10), data), "applied");
        _listo.Put(FakeListoWorld.ClientPath(client), FakeListoWorld.Client(client, "New name"));

        var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/refresh");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("applied", body.GetProperty("outcome").GetString());
        var (_, held) = await gateway.GetAsync($"/v1/clients/{client}");
        Assert.Equal("New name", held.GetProperty("name").GetString());
    }

    [Fact]
    public async Task TheApiKey_IsSentToListo_AndAppearsInNoLogLine()
    {
        Calm();
        var (client, worker, person, path) = await DeliverWorkerAsync("Springfield");
        _listo.Put(path, FakeListoWorld.Worker(client, worker, person, "Alex Kim", "Shelbyville"));
        var (status, _) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
        Assert.Equal(HttpStatusCode.OK, status);
        _listo.Faults = new() { FailFirst = 1, FailFirstStatus = 503, RetryAfterSeconds = 0 };
        (status, _) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
        Assert.Equal(HttpStatusCode.OK, status);

        var stats = _listo.Stats();
        Assert.Equal(0, stats.WrongKey);
        Assert.Equal(2, stats.ByStatus["200"]);

        // The HTTP client logged its requests and their headers (so the test can see a header line), values redacted.
        var lines = gateway.Logs.Lines.ToList();
        Assert.True(lines.Any(line => line.Contains(path, StringComparison.Ordinal)), string.Join("\n", lines.Take(40)));
        Assert.Contains(lines, line => line.Contains("x-api-key", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, line => line.Contains(RefetchGatewayFixture.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Redirects_AreFollowedWithinListo_ButTheKeyIsNeverSentToAnotherOrigin()
    {
        Calm();
        var (client, worker, person, path) = await DeliverWorkerAsync("Springfield");
        var moved = path + "-moved";
        _listo.Put(moved, FakeListoWorld.Worker(client, worker, person, "Alex Kim", "Shelbyville"));
        _listo.Redirect(path, moved);
        try
        {
            var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            Assert.Equal("applied", body.GetProperty("outcome").GetString());
            Assert.Equal(1, _listo.Stats().ByStatus["308"]);

            // Another origin (a second fake on another port that would accept the same key) is never asked.
            await using var elsewhere = new FakeListoServer(RefetchGatewayFixture.ApiKey);
            await elsewhere.StartAsync();
            elsewhere.Put(path, FakeListoWorld.Worker(client, worker, person, "Alex Kim", "Ogdenville"));
            _listo.Redirect(path, new Uri(elsewhere.BaseAddress, path).ToString());

            (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");
            Assert.Equal(HttpStatusCode.BadGateway, status);
            Assert.Contains("redirected to another origin", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(0, elsewhere.Stats().Requests);
        }
        finally
        {
            _listo.Redirect(path, null);
        }
    }

    /// <summary>No faults, fresh statistics.</summary>
    private void Calm()
    {
        _listo.Faults = new();
        _listo.ResetStats();
    }

    /// <summary>A worker delivered (occurredAt May 2026) with a links.self the fake serves; the fake holds the same data.</summary>
    private async Task<(string Client, string Worker, string Person, string Path)> DeliverWorkerAsync(string city)
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var data = FakeListoWorld.Worker(client, worker, person, "Alex Kim", city);
        await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(10), (JsonObject)data.DeepClone()), "applied");
        var path = FakeListoWorld.WorkerPath(client, worker);
        _listo.Put(path, data);
        return (client, worker, person, path);
    }
}
