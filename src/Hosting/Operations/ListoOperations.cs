using Listo.Orleans.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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

    /// <summary>Configuration key: an OTLP endpoint (e.g. <c>http://otel-collector:4317</c>); absent means no export.</summary>
    public const string OtlpEndpointKey = "Telemetry:OtlpEndpoint";

    /// <summary>Configuration key: seconds a stopping process waits for in-flight requests (default 30).</summary>
    public const string ShutdownTimeoutKey = "Telemetry:ShutdownTimeoutSeconds";

    /// <summary>
    /// Configuration key: the share of requests traced (0 to 1, default 0.05) when traces are exported; a request
    /// that arrives with a sampled trace parent is always traced.
    /// </summary>
    public const string TraceSampleRatioKey = "Telemetry:TraceSampleRatio";

    /// <summary>
    /// Configuration key: seconds a stopping process keeps serving, readiness already 503, before it drains
    /// (default 0; a few seconds in Kubernetes, where endpoint removal lags the SIGTERM).
    /// </summary>
    public const string ShutdownDelayKey = "Telemetry:ShutdownDelaySeconds";

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
        var drain = configuration.GetValue(ShutdownTimeoutKey, 30);
        var delay = configuration.GetValue(ShutdownDelayKey, 0);
        if (drain <= 0 || delay < 0 || delay >= drain)
        {
            throw new StartupConfigurationException(
                $"{ShutdownDelayKey} ({delay}) must be at least 0 and below {ShutdownTimeoutKey} ({drain}).");
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(drain));
        builder.Services.AddSingleton<IHostedService>(sp => new ShutdownDelay(TimeSpan.FromSeconds(delay), sp.GetRequiredService<ILogger<ShutdownDelay>>()));

        builder.Services.AddListoHealth();

        var instance = Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName;
        var otlp = configuration[OtlpEndpointKey];
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("listo-orleans-" + role, serviceInstanceId: instance));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(MeterName, OrleansMeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0); // every scrape is fresh
            if (!string.IsNullOrWhiteSpace(otlp))
            {
                metrics.AddOtlpExporter(o => o.Endpoint = OtlpUri(otlp));
            }
        });
        // Traces only where they go somewhere: with no exporter, recording an activity per request and per grain
        // call cost about 80 µs per delivery for nothing. With one, a share of requests is sampled.
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            var ratio = configuration.GetValue(TraceSampleRatioKey, 0.05);
            if (ratio is < 0 or > 1)
            {
                throw new StartupConfigurationException($"{TraceSampleRatioKey} must be from 0 to 1, got {ratio}.");
            }

            telemetry.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)))
                .AddSource(OrleansActivitySources)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(o => o.Endpoint = OtlpUri(otlp)));
        }
    }

    /// <summary>Maps <c>/health/*</c> and <c>/metrics</c>; returns the metrics endpoint, internal in every role.</summary>
    public static IEndpointConventionBuilder MapListoMetrics(this IEndpointRouteBuilder app) => app.MapPrometheusScrapingEndpoint(MetricsPath);

    private static Uri OtlpUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new StartupConfigurationException($"{OtlpEndpointKey} must be an http(s) URL, got '{value}'.");
}
