using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Listo.Orleans.Grains;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Http;

/// <summary>The dashboard and /metrics on the internal listener only, and the project's own instruments.</summary>
/// <remarks>
/// Meters are process-wide: another gateway running in this test process at the same time would add to the
/// counters read here, so this collection runs alone.
/// </remarks>
[Trait(Category.Key, Category.Cluster)]
[Collection(Name)]
public sealed partial class OperationsTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    public const string Name = "operations";

    [Fact]
    public async Task Dashboard_IsOnTheInternalListenerBehindALogin_AndIsNotFoundOnIngress()
    {
        // Development generates a login when none is configured: the dashboard is never open.
        using var onInternal = await gateway.Http.GetAsync(new Uri(gateway.Internal, "/dashboard/"));
        using var onIngress = await gateway.Http.GetAsync(new Uri(gateway.Ingress, "/dashboard/"));

        Assert.Equal(HttpStatusCode.Unauthorized, onInternal.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, onIngress.StatusCode);
    }

    [Fact]
    public async Task Metrics_AreInternalOnly_AndCarryOrleansAspNetCoreAndRuntimeMeters()
    {
        using var onIngress = await gateway.Http.GetAsync(new Uri(gateway.Ingress, "/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, onIngress.StatusCode);

        await gateway.DeliverAsync(ListoEvents.Client(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), ListoEvents.ClientData(ListoEvents.NewId("lglsocli"))), "applied");
        var text = await ScrapeAsync();
        Assert.Contains("\norleans_", text, StringComparison.Ordinal);
        Assert.Contains("\nhttp_server_request_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("\ndotnet_gc_", text, StringComparison.Ordinal);
        Assert.Contains("\norleans_catalog_activations", text, StringComparison.Ordinal);
        Assert.Contains("\norleans_app_requests_latency", text, StringComparison.Ordinal);

        // Per-message and per-buffer detail is not recorded (ListoOperations.IsPerCallDetail).
        Assert.DoesNotContain("\norleans_messaging_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\norleans_directory_lookups_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\naspnetcore_memory_pool_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\naspnetcore_routing_match_attempts", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnInstruments_CountEveryOutcome_EveryRejectionReason_And503s()
    {
        var before = Parse(await ScrapeAsync());
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        System.Text.Json.Nodes.JsonObject Data() => ListoEvents.WorkerData(client, worker, person);
        var onboarded = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(10), Data(), "worker.onboarded");
        await gateway.DeliverAsync(onboarded, "applied");
        await gateway.DeliverAsync(onboarded, "duplicate");
        await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(5), Data()), "stale");
        await gateway.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(20), Data(), "worker.archived"), "ignored");

        var sample = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(30), Data());
        (await gateway.PostAsync(sample, secret: "whsec_c29tZSBvdGhlciBzZW5kZXIncyBzZWNyZXQ=")).Dispose();
        (await gateway.PostAsync(sample, timestamp: DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds())).Dispose();
        (await gateway.PostAsync(sample, tweak: r => r.Headers.Remove("webhook-id"))).Dispose();
        (await gateway.PostRawAsync(Encoding.UTF8.GetBytes("{\"not\":\"an envelope\"}"), ListoEvents.NewId("lglsoevt"))).Dispose();
        (await gateway.PostRawAsync(new byte[GatewayFixture.MaxBodyBytes + 1], ListoEvents.NewId("lglsoevt"))).Dispose();

        var otherWorker = ListoEvents.NewId("lglsowpr");
        var failing = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(40), ListoEvents.WorkerData(client, otherWorker, person));
        gateway.Faults.FailWrites(StateNames.Worker, GrainKeys.Worker(client, otherWorker));
        using (var unavailable = await gateway.PostAsync(failing))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        }

        var after = Parse(await ScrapeAsync());
        double Delta(string series) => after.GetValueOrDefault(series) - before.GetValueOrDefault(series);

        Assert.Equal(1, Delta("listo_webhook_deliveries_total{outcome=\"applied\",type=\"worker.onboarded\"}"));
        Assert.Equal(1, Delta("listo_webhook_deliveries_total{outcome=\"duplicate\",type=\"worker.onboarded\"}"));
        Assert.Equal(1, Delta("listo_webhook_deliveries_total{outcome=\"stale\",type=\"worker.updated\"}"));
        // A type the sender made up is not a tag value of its own: the series stay bounded whatever is sent.
        Assert.Equal(1, Delta("listo_webhook_deliveries_total{outcome=\"ignored\",type=\"other\"}"));
        foreach (var reason in new[] { "signature", "timestamp", "header", "malformed", "too_large" })
        {
            Assert.True(Delta($"listo_webhook_rejections_total{{reason=\"{reason}\"}}") == 1, $"rejections for {reason}");
        }

        Assert.Equal(1, Delta("listo_webhook_unavailable_total{reason=\"failure\"}"));
        Assert.Equal(1, Delta("listo_webhook_ack_duration_seconds_count{outcome=\"unavailable\"}"));
        Assert.Equal(4, new[] { "applied", "duplicate", "stale", "ignored" }.Sum(o => Delta($"listo_webhook_ack_duration_seconds_count{{outcome=\"{o}\"}}")));
        Assert.True(Delta("listo_storage_write_duration_seconds_count{result=\"ok\",state=\"worker\"}") >= 1);
        Assert.True(Delta("listo_storage_write_duration_seconds_count{result=\"error\",state=\"worker\"}") >= 1);
    }

    private async Task<string> ScrapeAsync()
    {
        using var response = await gateway.Http.GetAsync(new Uri(gateway.Internal, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return "\n" + await response.Content.ReadAsStringAsync();
    }

    /// <summary>Prometheus text to series (labels sorted, scope label dropped) and value.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match line in SampleLine().Matches(text))
        {
            var labels = Label().Matches(line.Groups["labels"].Value)
                .Select(m => m.Value)
                .Where(l => !l.StartsWith("otel_scope_", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal);
            var key = $"{line.Groups["name"].Value}{{{string.Join(",", labels)}}}";
            series[key] = series.GetValueOrDefault(key) + double.Parse(line.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return series;
    }

    [GeneratedRegex(@"^(?<name>listo_[a-z_]+)\{(?<labels>[^}]*)\} (?<value>[-+0-9.eE]+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"[a-z_]+=""[^""]*""")]
    private static partial Regex Label();
}

[CollectionDefinition(OperationsTests.Name, DisableParallelization = true)]
public sealed class OperationsCollection;
