using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Deploy;

/// <summary>
/// deploy/k8s/monitoring against the code: every metric a PrometheusRule expression or a Grafana panel names is on a
/// real durable gateway's /metrics after a few deliveries, so no alert can watch a metric that is never emitted.
/// </summary>
[Trait(Category.Key, Category.Process)]
public sealed partial class MonitoringTests
{
    private static readonly string Monitoring = Path.Combine(Repository.Root, "deploy", "k8s", "monitoring");

    /// <summary>PromQL's own words: aggregations, functions, keywords.</summary>
    private static readonly HashSet<string> PromQlWords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
        "sum", "min", "max", "avg", "count", "rate", "increase", "irate", "histogram_quantile", "clamp_min", "clamp_max",
        "max_over_time", "min_over_time", "avg_over_time", "abs", "time", "vector", "le", "inf", "nan",
    };

    [Fact]
    public void EveryAlert_HasAnExpression_ASeverity_AndARunbookLink()
    {
        var rules = File.ReadAllText(Path.Combine(Monitoring, "prometheusrule.yaml"));
        var alerts = AlertLine().Matches(rules).Select(m => m.Groups[1].Value).ToList();
        string[] required = ["ListoDeliveries503", "ListoAckP99High", "ListoStorageFlushFailing", "ListoFeedLag", "ListoJournalPurgeFailing", "ListoRefetchCircuitOpen", "ListoSiloDown"];
        Assert.All(required, a => Assert.Contains(a, alerts));
        Assert.Equal(alerts.Count, Expressions().Count(e => e.Source == "prometheusrule.yaml"));
        Assert.Equal(alerts.Count, Regex.Count(rules, @"^\s+severity: (critical|warning)$", RegexOptions.Multiline));
        var runbook = File.ReadAllText(Path.Combine(Repository.Root, "docs", "runbook.md"));
        var anchors = Regex.Matches(runbook, "^## (.+)$", RegexOptions.Multiline).Select(m => Anchor(m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        var links = Regex.Matches(rules, @"runbook_url: \S+#(\S+)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(alerts.Count, links.Count);
        Assert.All(links, anchor => Assert.True(anchors.Contains(anchor), $"runbook_url #{anchor} is not a section of docs/runbook.md ({string.Join(", ", anchors)})"));
    }

    [Fact]
    public async Task EveryMetricTheRulesAndTheDashboardName_IsOnARealGatewaysMetrics()
    {
        var cluster = GatewayProcess.ClusterSettings(await PostgresServer.CreateMigratedDatabaseAsync("monitoring"), "monitoring");
        await using var gateway = await GatewayProcess.StartAsync(cluster);
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        await gateway.DeliverAsync(ListoEvents.Client(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), ListoEvents.ClientData(client)), "applied");
        var onboarded = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(2), ListoEvents.WorkerData(client, worker, person), "worker.onboarded");
        await gateway.DeliverAsync(onboarded, "applied");
        await gateway.DeliverAsync(onboarded, "duplicate");
        (await gateway.PostAsync(onboarded, secret: "whsec_c29tZSBvdGhlciBzZW5kZXIncyBzZWNyZXQ=")).Dispose();

        var metrics = await gateway.Http.GetStringAsync(new Uri(gateway.Internal, "/metrics"));
        var exposed = Regex.Matches(metrics, @"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var expressions = Expressions();
        Assert.Contains(expressions, e => e.Source == "grafana-dashboard.json");
        foreach (var (source, expression) in expressions)
        {
            var names = MetricNames(expression);
            Assert.NotEmpty(names);
            foreach (var name in names)
            {
                Assert.True(exposed.Contains(name), $"{source}: '{expression}' names {name}, which the gateway's /metrics does not have");
            }
        }
    }

    [Theory]
    [InlineData("sum by (namespace) (rate(listo_webhook_unavailable_total[5m])) > 0.05", "listo_webhook_unavailable_total")]
    [InlineData("histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{outcome!=\"x\"}[5m])))", "a_seconds_bucket")]
    [InlineData("max(a) < max(max_over_time(b[30m]))", "a b")]
    [InlineData("increase(c{result=\"ok\"}[3h]) == 0 and d == 1", "c d")]
    public void MetricNames_AreTheSeriesAnExpressionSelects(string expression, string names)
        => Assert.Equal(names.Split(' '), MetricNames(expression).Order(StringComparer.Ordinal));

    private static List<(string Source, string Expression)> Expressions()
    {
        var found = File.ReadAllLines(Path.Combine(Monitoring, "prometheusrule.yaml"))
            .Select(l => l.Trim()).Where(l => l.StartsWith("expr: ", StringComparison.Ordinal))
            .Select(l => ("prometheusrule.yaml", l["expr: ".Length..])).ToList();
        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(Monitoring, "grafana-dashboard.json")))!;
        found.AddRange(dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => ("grafana-dashboard.json", (string)t!["expr"]!)));
        return found;
    }

    private static List<string> MetricNames(string expression)
    {
        var bare = Ranges().Replace(Matchers().Replace(Groupings().Replace(expression, " "), " "), " ");
        return Identifiers().Matches(bare)
            .Where(m => !PromQlWords.Contains(m.Groups[1].Value) && !m.Groups[2].Success && !m.Groups[1].Value.StartsWith("$__", StringComparison.Ordinal))
            .Select(m => m.Groups[1].Value).Distinct().ToList();
    }

    private static string Anchor(string heading)
        => Regex.Replace(Regex.Replace(heading.ToLowerInvariant(), @"[^a-z0-9 \-]", ""), " ", "-");

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Groupings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"^\s+- alert: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex AlertLine();
}
