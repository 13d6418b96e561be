using Listo.Orleans.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Listo.Orleans.Hosting.Operations;

/// <summary>
/// What SREs get from every role: structured logs, health, metrics at <c>/metrics</c> (Prometheus text), traces
/// joined across HTTP and grain calls, optional OTLP export, and a shutdown that drains before the silo leaves.
/// </summary>
public static class ListoOperations
{
    /// <summary>The meter of the project's own instruments.</summary>
    public const string MeterName = Grains.ListoMeter.Name;

    /// <summary>Orleans' own meter.</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>The Prometheus scrape path.</summary>
    public const string MetricsPath = "/metrics";

    // The Orleans instruments recorded per message, lookup or registration (IsPerCallDetail).
    private static readonly string[] PerCallOrleansPrefixes =
        ["orleans-messaging-processing-", "orleans-messaging-sent-", "orleans-messaging-received-", "orleans-directory-lookups-", "orleans-directory-registrations"];

    private static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>Adds logging, health, telemetry and the drain to a host of role <paramref name="role"/>.</summary>
    public static void AddListoOperations(this IHostApplicationBuilder builder, string role)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;

        // Logs: one JSON object per line in production (for the cluster's log pipeline), one readable line in
        // Development. Messages are source-generated and never carry secrets, signatures or payloads.
        builder.Logging.ClearProviders();
        if (builder.Environment.IsDevelopment())
        {
            builder.Logging.AddSimpleConsole(o => (o.SingleLine, o.TimestampFormat) = (true, "HH:mm:ss "));
        }
        else
        {
            builder.Logging.AddJsonConsole(o => (o.TimestampFormat, o.UseUtcTimestamp) = ("yyyy-MM-ddTHH:mm:ss.fffZ", true));
        }

        // Shutdown: readiness turns 503 at once and the listeners keep serving for the delay; then the web host
        // stops (new connections refused, in-flight deliveries finish), and only then does the silo leave the
        // cluster. The timeout bounds all of it.
        // Read before the container exists: they choose the exporters and the host's own shutdown timeout.
        var telemetryOptions = ListoOptions.Read(configuration, ListoTelemetryOptions.Section, new ListoTelemetryOptionsValidator());
        builder.Services.AddValidatedOptions<ListoTelemetryOptions, ListoTelemetryOptionsValidator>(ListoTelemetryOptions.Section);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(telemetryOptions.ShutdownTimeoutSeconds));
        builder.Services.AddSingleton<IHostedService>(sp => new ShutdownDelay(
            TimeSpan.FromSeconds(telemetryOptions.ShutdownDelaySeconds), sp.GetRequiredService<ILogger<ShutdownDelay>>()));

        builder.Services.AddListoHealth();

        var instance = Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName;
        var otlp = telemetryOptions.OtlpUri;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("listo-orleans-" + role, serviceInstanceId: instance));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(MeterName, OrleansMeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddView(instrument => IsPerCallDetail(instrument) ? MetricStreamConfiguration.Drop : null)
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0); // every scrape is fresh
            if (otlp is not null)
            {
                metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            }
        });
        // Traces only where they go somewhere: with no exporter, recording an activity per request and per grain
        // call cost about 80 µs per delivery for nothing. With one, a share of requests is sampled.
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(telemetryOptions.TraceSampleRatio)))
                .AddSource(OrleansActivitySources)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(o => o.Endpoint = otlp));
        }
    }

    /// <summary>
    /// Instruments recorded on every message, lookup or buffer that no alert, runbook or dashboard reads, and whose
    /// recording cost about 3% of the gateway's CPU per delivery (docs/performance.md, "What a delivery pays for
    /// telemetry"): Orleans' per-message counters and header-size histograms, its directory lookup and registration
    /// counters, ASP.NET Core's routing attempts and its memory-pool rent/return counters. Dropped, nothing listens to
    /// them and Orleans and ASP.NET Core skip recording. Kept: request and grain-call latency, activations, the
    /// directory's and ring's sizes, storage latency, the runtime's and the project's own.
    /// </summary>
    internal static bool IsPerCallDetail(Instrument instrument)
    {
        var name = instrument.Name;
        return instrument.Meter.Name switch
        {
            OrleansMeterName => PerCallOrleansPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)),
            "Microsoft.AspNetCore.MemoryPool" => true,
            "Microsoft.AspNetCore.Routing" => name == "aspnetcore.routing.match_attempts",
            _ => false,
        };
    }

    /// <summary>Maps <c>/health/*</c> and <c>/metrics</c>; returns the metrics endpoint, internal in every role.</summary>
    public static IEndpointConventionBuilder MapListoMetrics(this IEndpointRouteBuilder app) => app.MapPrometheusScrapingEndpoint(MetricsPath);
}
