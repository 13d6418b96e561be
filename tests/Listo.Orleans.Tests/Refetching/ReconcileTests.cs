using System.Globalization;
using Listo.Orleans.FakeListo;
using Listo.Orleans.Tests.Support;
using Xunit.Abstractions;

namespace Listo.Orleans.Tests.Refetching;

/// <summary>
/// <c>listo-admin reconcile</c>, the real executable, against a durable gateway process and the fake Listo on a
/// loopback socket. The gateway first receives every entity as a signed delivery (an hour ago); then the fake changes
/// some and deletes some without a delivery, as if those deliveries were lost in an outage.
/// </summary>
[Trait(Category.Key, Category.Process)]
public sealed class ReconcileTests(ITestOutputHelper output)
{
    private const string ApiKey = "listo-reconcile-test-key-81c2";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Reconcile_Of5000Workers_Under429sAnd500s_Converges_WithinTheRateLimit()
    {
        const int workers = 5000, clients = 10, rate = 200;
        await using var listo = new FakeListoServer(ApiKey, seed: 7);
        await listo.StartAsync();
        var (cluster, gateway, entities) = await StartWorldAsync(listo, "r5k", clients, workers);
        await using (gateway)
        {
            var removed = FakeListoWorld.Remove(listo, entities, every: 250);
            var drifted = FakeListoWorld.Drift(listo, entities, every: 50);
            Assert.Empty(drifted.Intersect(removed));
            listo.ResetStats();
            listo.Faults = new() { ThrottleRate = 0.05, RetryAfterSeconds = 1, FailRate = 0.05 };

            // With 10% of attempts failing, 5 failures in a row (the default 4 retries) befall one of 5,000 entities in
            // about one run in 20; that entity is then listed and the exit is 1, as it should be. 6 retries make it
            // one run in 2,000, so the test checks convergence, not luck.
            var (exit, text) = await RunAdminAsync(Settings(cluster, listo, rate), "reconcile", "--parallel", "32", "--checkpoint", TempPath(), "--Listo:Retries=6");
            var stats = listo.Stats();
            output.WriteLine(text);
            output.WriteLine($"fake Listo: {stats.Requests} requests, by status {string.Join(", ", stats.ByStatus.Select(s => $"{s.Key}: {s.Value}"))}, " +
                $"busiest second {stats.MaxInAnySecond}, busiest five seconds {stats.MaxInAnyFiveSeconds}, average {stats.AveragePerSecond}/s");

            Assert.True(exit == 0, text);
            Assert.Contains($"Reconciled {workers + clients} entities: applied {drifted.Count}, unchanged {workers + clients - drifted.Count - removed.Count}, gone {removed.Count}, skipped 0, failed 0.", text, StringComparison.Ordinal);

            // Faults were met and retried; the rate limit held, retries included. The limiter lets at most the rate plus a
            // burst of 1/20 s leave in any window. The fake sees arrivals instead, which three processes on 2 shared cores
            // bunch by up to ~100 ms (CI once saw 231 in one second at 200/s, average 179/s): that is 10% of one second
            // but 2% of five. So the limit is checked over five seconds, tightly; the busiest one second only has to
            // stay clear of what a broken limiter (none, or one per silo) would let through.
            Assert.True(stats.ByStatus["429"] > 100 && stats.ByStatus["500"] > 100, "faults were injected");
            Assert.Equal(0, stats.WrongKey);
            Assert.True(stats.MaxInAnyFiveSeconds <= 5 * rate * 1.05, $"busiest five seconds {stats.MaxInAnyFiveSeconds} > 1.05 × 5 × {rate}");
            Assert.True(stats.MaxInAnySecond <= rate * 1.3, $"busiest second {stats.MaxInAnySecond} > 1.3 × {rate}");
            Assert.True(stats.AveragePerSecond <= rate * 1.02, $"average {stats.AveragePerSecond}/s > {rate}");

            // The state converged on what the fake holds.
            var driftedWorker = Worker(drifted[0]);
            var (_, held) = await gateway.GetAsync($"/v1/clients/{driftedWorker.Client}/workers/{driftedWorker.Worker}");
            Assert.Equal("Shelbyville", held.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
            Assert.StartsWith("refetch:", held.GetProperty("eventId").GetString(), StringComparison.Ordinal);
            var removedWorker = Worker(removed[0]);
            (_, held) = await gateway.GetAsync($"/v1/clients/{removedWorker.Client}/workers/{removedWorker.Worker}");
            Assert.True(held.TryGetProperty("goneAt", out _), held.ToString());
            var kept = Worker((string)entities[^1].Data["links"]!["self"]!);
            (_, held) = await gateway.GetAsync($"/v1/clients/{kept.Client}/workers/{kept.Worker}");
            Assert.StartsWith("lglsoevt_", held.GetProperty("eventId").GetString(), StringComparison.Ordinal);

            // A second run finds nothing more to change.
            listo.Faults = new();
            (exit, text) = await RunAdminAsync(Settings(cluster, listo, 1000), "reconcile", "--parallel", "32", "--checkpoint", TempPath());
            output.WriteLine(text);
            Assert.True(exit == 0, text);
            Assert.Contains($"applied 0, unchanged {workers + clients - removed.Count}, gone {removed.Count},", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Reconcile_KilledMidway_ResumesFromItsCheckpoint_AndListsFailures()
    {
        await using var listo = new FakeListoServer(ApiKey, seed: 3);
        await listo.StartAsync();
        var (cluster, gateway, entities) = await StartWorldAsync(listo, "res", clients: 2, workers: 300);
        await using (gateway)
        {
            var drifted = FakeListoWorld.Drift(listo, entities, every: 10);
            var checkpoint = TempPath();
            var settings = Settings(cluster, listo, rate: 40);

            await using (var first = ChildProcess.Start("listo-admin", Repository.Tool("ListoAdmin", "listo-admin"), settings, "reconcile", "--checkpoint", checkpoint))
            {
                // Killed once its checkpoint records finished entities (the first is written before any has finished).
                var deadline = DateTime.UtcNow + CommandTimeout;
                while (DoneIn(checkpoint) < 50 && !first.HasExited && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(20);
                }

                Assert.True(DoneIn(checkpoint) >= 50, "no checkpoint with progress was written: " + first.Output);
                await first.KillHardAsync();
            }

            var (exit, text) = await RunAdminAsync(settings, "reconcile", "--checkpoint", checkpoint);
            output.WriteLine(text);
            Assert.True(exit == 0, text);
            Assert.Matches(@"Resuming from .*: (\d{2,}) entities were done", text);
            // The page the kill interrupted is done again; what it had applied then counts as unchanged.
            Assert.Matches(@"Reconciled 302 entities: applied \d+, unchanged \d+, gone 0, skipped 0, failed 0\.", text);
            Assert.False(File.Exists(checkpoint));
            foreach (var (client, worker) in drifted.Select(Worker))
            {
                var (_, held) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
                Assert.Equal("Shelbyville", held.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
            }


            // Listo failing throughout: the refetches before its circuit opens fail after their retries and are listed;
            // once it stays open the walk stops, keeps its checkpoint, and the exit code is 1.
            listo.Faults = new() { FailRate = 1 };
            var stopped = TempPath();
            (exit, text) = await RunAdminAsync(Settings(cluster, listo, rate: 1000), "reconcile", "--client", "lglsocli_res000001", "--checkpoint", stopped, "--Listo:Retries=1");
            output.WriteLine(text);
            Assert.Equal(1, exit);
            Assert.Matches(@"  failed: (client|worker):lglsocli_res000001\S*: /v\d/instance-integrations/\S+: Listo answered 500", text);
            Assert.Contains("Stopped early: Listo is failing", text, StringComparison.Ordinal);
            Assert.True(File.Exists(stopped), "the checkpoint is kept for a rerun");

            // Listo asking for a longer pause than reconcile waits out stops the walk at once, saying so.
            listo.Faults = new() { ThrottleRate = 1, RetryAfterSeconds = 3600 };
            var paused = TempPath();
            (exit, text) = await RunAdminAsync(Settings(cluster, listo, rate: 1000), "reconcile", "--client", "lglsocli_res000001", "--checkpoint", paused);
            output.WriteLine(text);
            Assert.Equal(1, exit);
            Assert.Contains("Stopped early: Listo asked for a pause of 3600 s, longer than reconcile waits (60 s)", text, StringComparison.Ordinal);
            Assert.True(File.Exists(paused), "the checkpoint is kept for a rerun");
        }
    }

    [Fact]
    public async Task Reconcile_WithoutListoApiKey_ExitsTwo_AndSaysWhy()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("reconcilekey");
        var (exit, text) = await RunAdminAsync(GatewayProcess.ClusterSettings(connectionString, "reconcilekey"), "reconcile");
        Assert.Equal(2, exit);
        Assert.Contains("reconcile needs Listo:ApiKey", text, StringComparison.Ordinal);
    }

    private static async Task<(Dictionary<string, string> Cluster, GatewayProcess Gateway, IReadOnlyList<(string Type, System.Text.Json.Nodes.JsonObject Data)> Entities)> StartWorldAsync(
        FakeListoServer listo, string tag, int clients, int workers)
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("reconcile" + tag);
        var cluster = GatewayProcess.ClusterSettings(connectionString, "reconcile-" + tag);
        var gateway = await GatewayProcess.StartAsync(cluster);
        var entities = FakeListoWorld.Seed(listo, clients, workers, tag);
        var failed = await FakeListoWorld.DeliverAsync(
            gateway.Http, new Uri(gateway.Ingress, "/webhooks/listo"), GatewayFixture.Secret, entities, DateTimeOffset.UtcNow.AddHours(-1), 16, default);
        Assert.Equal(0, failed);
        return (cluster, gateway, entities);
    }

    private static Dictionary<string, string> Settings(Dictionary<string, string> cluster, FakeListoServer listo, int rate) => new(cluster)
    {
        ["Listo__ApiBaseUrl"] = listo.BaseAddress.ToString(),
        ["Listo__ApiKey"] = ApiKey,
        ["Listo__RequestsPerSecond"] = rate.ToString(CultureInfo.InvariantCulture),
        ["Listo__AttemptTimeoutSeconds"] = "5",
    };

    private static (string Client, string Worker) Worker(string path)
    {
        var segments = path.Split('/');
        return (segments[^3], segments[^1]);
    }

    /// <summary>How many entities a checkpoint file records as finished (0 while there is none).</summary>
    private static long DoneIn(string checkpoint)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(checkpoint));
            return json.RootElement.GetProperty("counts").EnumerateObject().Sum(c => c.Value.GetInt64());
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
        {
            return 0;
        }
    }

    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"reconcile-{Guid.NewGuid():N}.json");

    private static async Task<(int Exit, string Output)> RunAdminAsync(IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        await using var command = ChildProcess.Start("listo-admin", Repository.Tool("ListoAdmin", "listo-admin"), settings, args);
        var exit = await command.WaitForExitAsync(CommandTimeout);
        Assert.True(exit is not null, $"listo-admin {string.Join(' ', args)} did not exit within {CommandTimeout.TotalSeconds} s: {command.Output}");
        return (exit.Value, command.Output);
    }
}
