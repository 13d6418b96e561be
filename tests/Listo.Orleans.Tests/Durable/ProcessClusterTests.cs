using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Listo.Orleans.Tests.Http;
using Listo.Orleans.Tests.Support;
using Xunit.Abstractions;

namespace Listo.Orleans.Tests.Durable;

/// <summary>The real executables as separate processes, clustered through PostgreSQL.</summary>
[Trait(Category.Key, Category.Process)]
public sealed class ProcessClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoGatewaysAndAHeadlessSilo_FormOneCluster_AndEveryGatewaySeesEveryDelivery()
    {
        var cluster = GatewayProcess.ClusterSettings(await PostgresServer.CreateMigratedDatabaseAsync("cluster"), "two-gateways");
        await using var silo = GatewayProcess.StartSilo(cluster);
        await using var a = await GatewayProcess.StartAsync(cluster);
        await using var b = await GatewayProcess.StartAsync(cluster);

        var person = ListoEvents.NewId("lglsowpf");
        var clients = new[] { ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsocli") };
        var workers = new[] { ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpr") };
        await a.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), ListoEvents.WorkerData(clients[0], workers[0], person, city: "via A")), "applied");
        await b.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(2), ListoEvents.WorkerData(clients[1], workers[1], person, city: "via B")), "applied");
        await b.DeliverAsync(ListoEvents.Client(ListoEvents.NewId("lglsoevt"), ListoEvents.At(0), ListoEvents.ClientData(clients[0], "Client via B")), "applied");

        foreach (var gateway in new WebhookClient[] { a, b })
        {
            var (status, personView) = await gateway.GetAsync($"/v1/people/{person}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("via B", personView.GetProperty("profile").GetProperty("address").GetProperty("city").GetString());
            Assert.Equal(2, personView.GetProperty("engagements").GetArrayLength());
            Assert.Equal("Client via B", (await gateway.GetAsync($"/v1/clients/{clients[0]}")).Body.GetProperty("name").GetString());
            Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync($"/v1/clients/{clients[0]}/workers/{workers[0]}")).Status);
        }

        Assert.False(silo.HasExited, silo.Output);
    }

    [Fact]
    public async Task FullRestartOfEveryProcess_LosesNothing()
    {
        var cluster = GatewayProcess.ClusterSettings(await PostgresServer.CreateMigratedDatabaseAsync("restart"), "restart");
        var stream = ListoStream.Generate(seed: 11, people: 6, clientsPerPerson: 2, versionsPerWorker: 3, duplicateShare: 0.2);
        await using var silo = GatewayProcess.StartSilo(cluster);
        await using (var gateway = await GatewayProcess.StartAsync(cluster))
        {
            var result = await stream.SendAsync(gateway, concurrency: 4);
            Assert.Equal(0, result.GaveUp);
            await gateway.Process.StopAsync(TimeSpan.FromSeconds(30));
        }

        await silo.StopAsync(TimeSpan.FromSeconds(30));

        await using var restartedSilo = GatewayProcess.StartSilo(cluster);
        await using var restarted = await GatewayProcess.StartAsync(cluster);
        var checkedEntities = await stream.AssertFinalStateAsync(restarted);
        output.WriteLine($"full restart: {stream.Deliveries.Count} deliveries, {checkedEntities} entities checked after restarting every process");
    }

    /// <summary>
    /// A stream retried as Listo retries (up to 3 tries on non-2xx, connection error or timeout) while the
    /// gateway silo is killed with SIGKILL mid-stream and restarted: every delivery is acked in the end and the
    /// final state is exactly the state the deliveries imply.
    /// </summary>
    [Fact]
    public async Task KillDashNineMidStream_WithListoRetries_EndsInExactlyTheImpliedState()
    {
        var cluster = GatewayProcess.ClusterSettings(await PostgresServer.CreateMigratedDatabaseAsync("kill"), "kill-nine");
        var stream = ListoStream.Generate(seed: 42, people: 20, clientsPerPerson: 2, versionsPerWorker: 5, duplicateShare: 0.2);
        await using var silo = GatewayProcess.StartSilo(cluster);
        await using var gateway = await GatewayProcess.StartAsync(cluster);

        var killAt = stream.Deliveries.Count / 3;
        Task? crash = null;
        var killedPid = 0;
        var restartSeconds = 0.0;
        var result = await stream.SendAsync(gateway, concurrency: 8, onAck: acked =>
        {
            if (acked == killAt)
            {
                crash = Task.Run(async () =>
                {
                    killedPid = gateway.Process.Id;
                    await gateway.Process.KillHardAsync();
                    var clock = Stopwatch.StartNew();
                    await gateway.RestartAsync();
                    restartSeconds = clock.Elapsed.TotalSeconds;
                });
            }
        });
        await crash!;

        var checkedEntities = await stream.AssertFinalStateAsync(gateway);
        output.WriteLine(
            $"kill -9: {stream.Deliveries.Count} deliveries sent ({stream.DistinctEvents} distinct events, {stream.Workers} workers, {stream.People} people); " +
            $"gateway pid {killedPid} killed after {killAt} acks, back in {restartSeconds:0.0} s; acked {result.Acked}, first try {result.FirstTry}, " +
            $"after retry {result.Acked - result.FirstTry}, failed tries {result.FailedTries}, gave up {result.GaveUp}; " +
            $"outcomes {string.Join(", ", result.Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}; final state checked for {checkedEntities} entities");
        Assert.Equal(stream.Deliveries.Count, result.Acked);
        Assert.Equal(0, result.GaveUp);
        Assert.True(result.FailedTries > 0, "the kill should have failed some tries, or the test did not test the crash");

        // The journal survived: every delivery that got a 200, before the kill or after, is in it with a durable outcome.
        var journal = await gateway.ReadJournalOutcomesAsync();
        var missing = result.AckedIds.Where(id => !journal.ContainsKey(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} acked deliveries are not in the journal, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.All(result.AckedIds, id => Assert.Contains(journal[id], new[] { "applied", "duplicate", "stale" }));
        output.WriteLine($"journal: all {result.AckedIds.Distinct().Count()} acked delivery ids present after kill -9 ({result.AckedIds.Take(killAt).Distinct().Count()} of them acked before the kill)");

        // A retry storm on top: every delivery again. The feed then holds each change once, and exactly the
        // changes each worker's own history holds.
        var storm = await stream.SendAsync(gateway, concurrency: 8);
        Assert.Equal(0, storm.GaveUp);
        // The feed shows a transaction's rows once no older transaction runs on the server, and other tests share
        // this server (one holds a transaction open on purpose), so compare until it has caught up.
        var (feed, mismatch) = await CompareFeedWithHistoriesAsync(gateway, stream.Workers);
        for (var attempt = 0; attempt < 60 && mismatch is not null; attempt++)
        {
            await Task.Delay(500);
            (feed, mismatch) = await CompareFeedWithHistoriesAsync(gateway, stream.Workers);
        }

        Assert.True(mismatch is null, mismatch);
        Assert.Equal(feed.Count, feed.Distinct().Count());
        var byWorker = feed.GroupBy(c => (c.ClientId, c.WorkerId)).ToList();
        output.WriteLine($"change feed: {feed.Count} worker changes for {byWorker.Count} workers, each once after the crash and a full resend");

        // Every version of the stream changes the profile, so each person's newest change must come from its
        // newest snapshot, whatever order, crash and resend: a person change lost to the crash would leave an older one last.
        var people = (await Changes.ChangeFeedTests.ReadWholeFeedAsync(gateway, "entityType=person"))
            .Select(c => (Person: c.GetProperty("workerProfileId").GetString()!, EventId: c.GetProperty("eventId").GetString()!, OccurredAt: c.GetProperty("occurredAt").GetString()))
            .ToList();
        Assert.Equal(people.Count, people.Distinct().Count());
        foreach (var (person, newest) in stream.NewestByPerson)
        {
            var last = people.LastOrDefault(c => c.Person == person);
            Assert.True(last.OccurredAt == newest, $"person {person}: newest snapshot at {newest}, last person change at {last.OccurredAt ?? "(none)"}");
        }

        output.WriteLine($"person changes: {people.Count} for {stream.People} people, each once, each person's last from its newest snapshot");
    }

    /// <summary>The whole worker feed, and what (if anything) differs from the workers' own histories.</summary>
    private static async Task<(List<(string ClientId, string WorkerId, string EventId)> Feed, string? Mismatch)> CompareFeedWithHistoriesAsync(
        WebhookClient gateway, int workers)
    {
        var feed = (await Changes.ChangeFeedTests.ReadWholeFeedAsync(gateway, "entityType=worker"))
            .Select(c => (ClientId: c.GetProperty("clientId").GetString()!, WorkerId: c.GetProperty("workerId").GetString()!, EventId: c.GetProperty("eventId").GetString()!))
            .ToList();
        var byWorker = feed.GroupBy(c => (c.ClientId, c.WorkerId)).ToList();
        if (byWorker.Count != workers)
        {
            return (feed, $"the feed has changes of {byWorker.Count} workers, the stream {workers}");
        }

        foreach (var worker in byWorker)
        {
            var (_, history) = await gateway.GetAsync($"/v1/clients/{worker.Key.ClientId}/workers/{worker.Key.WorkerId}/changes");
            var held = history.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("eventId").GetString()!).Order().ToList();
            var fed = worker.Select(c => c.EventId).Order().ToList();
            if (!held.SequenceEqual(fed))
            {
                return (feed, $"{worker.Key}: history [{string.Join(", ", held)}], feed [{string.Join(", ", fed)}]");
            }
        }

        return (feed, null);
    }

    [Fact]
    public async Task PostgresDown_Is503AndNotReady_ThenRecoversWithoutARestart()
    {
        var dir = Path.Combine(Repository.Root, ".data", "pg-outage-" + Guid.NewGuid().ToString("N")[..8]);
        var port = GatewayFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var server = await Repository.RunScriptAsync("scripts/postgres.sh", "start", dir, port);
        try
        {
            var cluster = GatewayProcess.ClusterSettings(await PostgresServer.CreateMigratedDatabaseAsync("outage", server), "outage");
            await using var gateway = await GatewayProcess.StartAsync(cluster);
            var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
            await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(0), ListoEvents.WorkerData(client, worker, person, city: "before")), "applied");

            await Repository.RunScriptAsync("scripts/postgres.sh", "stop", dir);

            // A worker never seen before: its activation must read storage, which is down.
            var (client2, worker2) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"));
            var during = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(10), ListoEvents.WorkerData(client2, worker2, person, city: "during"));
            var clock = Stopwatch.StartNew();
            using (var response = await gateway.PostAsync(during))
            {
                var elapsed = clock.Elapsed;
                await WebhookEndpointTests.AssertProblem(response, HttpStatusCode.ServiceUnavailable, "PostgreSQL down");
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.True(elapsed < TimeSpan.FromSeconds(12), $"503 took {elapsed.TotalSeconds:0.0} s");
                output.WriteLine($"PostgreSQL down: 503 with Retry-After in {elapsed.TotalMilliseconds:0} ms");
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await gateway.GetAsync("/health/ready", key: null)).Status);

            await Repository.RunScriptAsync("scripts/postgres.sh", "start", dir, port);
            clock.Restart();
            var recovered = await RetryUntilOkAsync(gateway, during, TimeSpan.FromSeconds(60));
            output.WriteLine($"PostgreSQL back: delivery accepted ({recovered}) {clock.Elapsed.TotalMilliseconds:0} ms after the server started, no process restarted");
            Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/health/ready", key: null)).Status);
            Assert.Equal("during", (await gateway.GetAsync($"/v1/clients/{client2}/workers/{worker2}")).Body.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
            Assert.False(gateway.Process.HasExited);
        }
        finally
        {
            await Repository.RunScriptAsync("scripts/postgres.sh", "stop", dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> RetryUntilOkAsync(WebhookClient gateway, JsonNode delivery, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await gateway.PostAsync(delivery);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["outcome"]!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"still {(int)response.StatusCode} after {timeout.TotalSeconds} s");
            await Task.Delay(500); // Listo's retry interval, compressed
        }
    }
}
