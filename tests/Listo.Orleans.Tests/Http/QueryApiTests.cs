using System.Net;
using System.Text.Json;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Http;

/// <summary>Each /v1 route, the bearer keys, the listener split and health, against the real gateway.</summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class QueryApiTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task OnePersonAtThreeClients_FansOut_IntoOnePersonWithThreeEngagements()
    {
        var person = ListoEvents.NewId("lglsowpf");
        var clients = Enumerable.Range(0, 3).Select(_ => ListoEvents.NewId("lglsocli")).ToList();
        var workers = clients.Select(_ => ListoEvents.NewId("lglsowpr")).ToList();

        // One phone change at the person fans out into one worker.updated per client, arriving out of order,
        // after each client's onboarding.
        for (var i = 0; i < 3; i++)
        {
            await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(i), ListoEvents.WorkerData(clients[i], workers[i], person, phone: "+1000"), "worker.onboarded"), "applied");
        }

        foreach (var i in new[] { 2, 0, 1 })
        {
            await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(100 + i), ListoEvents.WorkerData(clients[i], workers[i], person, phone: "+2000")), "applied");
        }

        var (status, body) = await gateway.GetAsync($"/v1/people/{person}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(person, body.GetProperty("workerProfileId").GetString());
        Assert.Equal("+2000", body.GetProperty("profile").GetProperty("phone").GetString());
        Assert.Equal(ListoEvents.At(102), body.GetProperty("occurredAt").GetString());
        var engagements = body.GetProperty("engagements").EnumerateArray().ToList();
        Assert.Equal(clients.Order(StringComparer.Ordinal), engagements.Select(e => e.GetProperty("clientId").GetString()));
        foreach (var engagement in engagements)
        {
            var i = clients.IndexOf(engagement.GetProperty("clientId").GetString()!);
            Assert.Equal(workers[i], engagement.GetProperty("workerId").GetString());
            Assert.Equal(ListoEvents.At(100 + i), engagement.GetProperty("occurredAt").GetString());
            Assert.Equal("Engineering", engagement.GetProperty("organizationUnit").GetProperty("name").GetString());
            Assert.Equal("HQ", engagement.GetProperty("organizationLocation").GetProperty("name").GetString());
            Assert.Equal(JsonValueKind.Array, engagement.GetProperty("contracts").ValueKind);
            Assert.StartsWith("lglsoevt_", engagement.GetProperty("eventId").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UpdateArrivingBeforeItsOnboarding_Upserts_AndTheOnboardingIsStale()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var onboarded = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(0), ListoEvents.WorkerData(client, worker, person, city: "Before"), "worker.onboarded");
        var updated = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(60), ListoEvents.WorkerData(client, worker, person, city: "After"));

        await gateway.DeliverAsync(updated, "applied");
        await gateway.DeliverAsync(onboarded, "stale");

        var (status, body) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("After", body.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
    }

    [Fact]
    public async Task WorkerRoute_ServesTheSnapshotExactlyAsReceived_UnknownFieldsIncluded()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var data = ListoEvents.WorkerData(client, worker, person);
        var envelope = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), "2026-05-03T12:10:00.231Z", data);
        await gateway.DeliverAsync(envelope, "applied");

        var (status, body) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(client, body.GetProperty("clientId").GetString());
        Assert.Equal(worker, body.GetProperty("workerId").GetString());
        Assert.Equal(person, body.GetProperty("workerProfileId").GetString());
        Assert.Equal("2026-05-03T12:10:00.231Z", body.GetProperty("occurredAt").GetString());
        Assert.Equal((string)envelope["id"]!, body.GetProperty("eventId").GetString());
        Assert.Equal(data.ToJsonString(), body.GetProperty("snapshot").GetRawText());
        Assert.True(body.GetProperty("snapshot").GetProperty("futureField").GetProperty("kept").GetBoolean());
    }

    [Fact]
    public async Task ClientRoutes_ServeTheClient_AndItsWorkersOrderedById()
    {
        var client = ListoEvents.NewId("lglsocli");
        var created = ListoEvents.Client(ListoEvents.NewId("lglsoevt"), ListoEvents.At(0), ListoEvents.ClientData(client));
        await gateway.DeliverAsync(created, "applied");
        var workers = new[] { ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpr") };
        foreach (var worker in workers)
        {
            await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(5), ListoEvents.WorkerData(client, worker, ListoEvents.NewId("lglsowpf"), fullName: "Pat " + worker[^4..]), "worker.onboarded"), "applied");
        }

        var (status, body) = await gateway.GetAsync($"/v1/clients/{client}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Hudson - Mraz - EOR", body.GetProperty("name").GetString());
        Assert.Equal("ET", body.GetProperty("address").GetProperty("isoCountryCode").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("address").GetProperty("zoneCode").ValueKind);
        Assert.Equal(ListoEvents.At(0), body.GetProperty("occurredAt").GetString());
        Assert.Equal((string)created["id"]!, body.GetProperty("eventId").GetString());

        var (listStatus, list) = await gateway.GetAsync($"/v1/clients/{client}/workers");
        Assert.Equal(HttpStatusCode.OK, listStatus);
        var lines = list.GetProperty("workers").EnumerateArray().ToList();
        Assert.Equal(workers.Order(StringComparer.Ordinal), lines.Select(l => l.GetProperty("workerId").GetString()));
        Assert.All(lines, l => Assert.StartsWith("Pat ", l.GetProperty("fullName").GetString(), StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Equal(ListoEvents.At(5), l.GetProperty("occurredAt").GetString()));
        Assert.All(lines, l => Assert.StartsWith("lglsowpf_", l.GetProperty("workerProfileId").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientWorkers_IsServed_WhenOnlyWorkersAreKnown()
    {
        var client = ListoEvents.NewId("lglsocli");
        var worker = ListoEvents.NewId("lglsowpr");
        await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(0), ListoEvents.WorkerData(client, worker, ListoEvents.NewId("lglsowpf"))), "applied");

        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync($"/v1/clients/{client}")).Status);
        var (status, body) = await gateway.GetAsync($"/v1/clients/{client}/workers");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(worker, Assert.Single(body.GetProperty("workers").EnumerateArray().ToList()).GetProperty("workerId").GetString());
    }

    [Theory]
    [InlineData("/v1/clients/lglsocli_unknown")]
    [InlineData("/v1/clients/lglsocli_unknown/workers")]
    [InlineData("/v1/clients/lglsocli_unknown/workers/lglsowpr_unknown")]
    [InlineData("/v1/people/lglsowpf_unknown")]
    [InlineData("/v1/clients/lglsocli_a%2Fb/workers/c")]
    public async Task UnknownEntity_Is404Problem(string path)
    {
        var (status, body) = await gateway.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(404, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-0123456789")]
    [InlineData("")]
    public async Task QueryWithoutAValidKey_Is401(string? key)
    {
        var (status, body) = await gateway.GetAsync("/v1/people/lglsowpf_any", key);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(401, body.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/v1/people/lglsowpf_any")]
    [InlineData("/v1/clients/lglsocli_any")]
    public async Task InternalPath_OnTheIngressListener_Is404_EvenWithAValidKey(string path)
    {
        var (status, _) = await gateway.GetAsync(path, listener: gateway.Ingress);
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task WebhookPath_OnTheInternalListener_Is404()
    {
        using var response = await gateway.Http.PostAsync(new Uri(gateway.Internal, "/webhooks/listo"), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task HostHeader_CannotReachInternalPaths_OnTheIngressListener()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.Ingress, "/v1/people/lglsowpf_any"));
        request.Headers.Host = gateway.Internal.Authority;
        request.Headers.Authorization = new("Bearer", GatewayFixture.QueryKey);
        using var response = await gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_IsServedOnBothListeners(string path)
    {
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync(path, key: null, listener: gateway.Ingress)).Status);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync(path, key: null, listener: gateway.Internal)).Status);
    }

    [Fact]
    public async Task Refresh_WithoutListoApiKey_Is503_ThatSaysSo()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(10), ListoEvents.WorkerData(client, worker, person)), "applied");

        var (status, body) = await gateway.PostQueryAsync($"/v1/clients/{client}/workers/{worker}/refresh");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("Listo:ApiKey", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
