using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Listo.Orleans.Tests.Support;
using Xunit.Abstractions;

namespace Listo.Orleans.Tests.Durable;

/// <summary>
/// The real gateway, durable, under a small heap (DOTNET_GCHeapHardLimit) with activations kept far longer than the
/// run, so that only the memory bounds stand between it and an OutOfMemoryException: activation shedding, and 503
/// with Retry-After while the heap is near its limit.
/// </summary>
[Trait(Category.Key, Category.Process)]
public sealed class MemoryPressureTests(ITestOutputHelper output)
{
    private const int Workers = 24_000;
    private const int HeapLimitMiB = 192;

    [Fact]
    public async Task NewEntitiesBeyondTheHeapLimit_AreTakenWithoutACrash_AndNoAcknowledgedDeliveryIsLost()
    {
        var cluster = GatewayProcess.ClusterSettings(await PostgresServer.CreateMigratedDatabaseAsync("memory"), "memory");
        cluster["DOTNET_GCHeapHardLimit"] = $"0x{HeapLimitMiB * 1024L * 1024:x}";
        // Nothing is collected by age during the run: what bounds memory here is the pressure path alone.
        cluster["Memory__EntityCollectionAgeSeconds"] = "3600";
        cluster["Memory__RetryAfterSeconds"] = "1";
        await using var gateway = await GatewayProcess.StartAsync(cluster);

        var client = ListoEvents.NewId("lglsocli");
        var ids = Enumerable.Range(0, Workers).Select(i => (Worker: ListoEvents.NewId("lglsowpr"), Person: ListoEvents.NewId("lglsowpf"), Event: ListoEvents.NewId("lglsoevt"))).ToArray();
        var refused = 0;
        var retryAfterMissing = 0;
        var acknowledged = new ConcurrentDictionary<int, string>();
        var refusedFirst = new ConcurrentDictionary<int, bool>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Workers)
            {
                var (worker, person, eventId) = ids[i];
                var envelope = ListoEvents.Worker(eventId, ListoEvents.At(i), ListoEvents.WorkerData(client, worker, person, city: $"City {i}"), type: "worker.onboarded");
                var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
                for (var attempt = 1; ; attempt++)
                {
                    using var response = await gateway.PostRawAsync(body, eventId);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                        acknowledged[i] = json.RootElement.GetProperty("outcome").GetString()!;
                        break;
                    }

                    Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"delivery {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    Assert.True(attempt < 60, $"delivery {i} was refused {attempt} times in a row");
                    Interlocked.Increment(ref refused);
                    refusedFirst[i] = true;
                    if (response.Headers.RetryAfter?.Delta is not { } wait)
                    {
                        Interlocked.Increment(ref retryAfterMissing);
                        wait = TimeSpan.FromSeconds(1);
                    }

                    await Task.Delay(wait);
                }

                Assert.False(gateway.Process.HasExited, $"the gateway exited after {acknowledged.Count} acknowledged deliveries:\n{gateway.Process.Output}");
            }
        }));

        var metrics = await gateway.Http.GetStringAsync(new Uri(gateway.Internal, "/metrics"));
        output.WriteLine($"{Workers} new workers under a {HeapLimitMiB} MiB heap: {refused} answers were 503 (then retried), activations now {Metric(metrics, "orleans_catalog_activations")}, " +
            $"heap usage {Metric(metrics, "listo_memory_heap_usage"):F2}");
        Assert.False(gateway.Process.HasExited, gateway.Process.Output);
        Assert.Equal(0, retryAfterMissing);
        Assert.Equal(Workers, acknowledged.Count);
        // A delivery is applied at its first 200; one answered 503 after its write had landed (a timeout under
        // pressure) is a duplicate on the retry, which is Listo's retry converging.
        Assert.All(acknowledged, a => Assert.Contains(a.Value, refusedFirst.ContainsKey(a.Key) ? ["applied", "duplicate"] : new[] { "applied" }));

        // Shedding ran: far fewer activations than the two per worker that were created.
        Assert.True(Metric(metrics, "orleans_catalog_activations") < Workers, $"activations were not shed:\n{metrics}");

        // Every acknowledged delivery is there (a sample of workers and their people), read through grains that were shed
        // and activate again from storage.
        foreach (var i in Enumerable.Range(0, 200).Select(k => k * (Workers / 200)))
        {
            var (worker, person, eventId) = ids[i];
            var (status, body) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
            Assert.True(status == HttpStatusCode.OK, $"worker {i}: {(int)status}");
            Assert.Equal(eventId, body.GetProperty("eventId").GetString());
            var (personStatus, view) = await gateway.GetAsync($"/v1/people/{person}");
            Assert.True(personStatus == HttpStatusCode.OK, $"person {i}: {(int)personStatus}");
            Assert.Equal($"City {i}", view.GetProperty("profile").GetProperty("address").GetProperty("city").GetString());
        }

        // And the count of what storage holds is exact.
        var (listed, page) = await gateway.GetAsync($"/v1/clients/{client}/workers");
        Assert.True(listed == HttpStatusCode.OK, $"{(int)listed} {page}\n{gateway.Process.Output[^Math.Min(6000, gateway.Process.Output.Length)..]}");
        Assert.Equal(Workers, page.GetProperty("workers").GetArrayLength());
    }

    private static double Metric(string metrics, string name) => metrics.Split('\n')
        .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length > name.Length && (l[name.Length] == ' ' || l[name.Length] == '{')))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
