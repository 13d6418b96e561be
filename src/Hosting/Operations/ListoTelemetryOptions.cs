
namespace Listo.Orleans.Hosting.Operations;

/// <summary>Telemetry and the drain (<c>Telemetry</c> section), read when the host is built (<see cref="ListoOperations"/>).</summary>
public sealed class ListoTelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>An OTLP endpoint (e.g. <c>http://otel-collector:4317</c>); absent means no export.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Seconds a stopping process waits for in-flight requests.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Seconds a stopping process keeps serving, readiness already 503, before it drains (a few seconds in
    /// Kubernetes, where endpoint removal lags the SIGTERM).
    /// </summary>
    public int ShutdownDelaySeconds { get; set; }

    /// <summary>
    /// The share of requests traced (0 to 1) when traces are exported; a request that arrives with a sampled trace
    /// parent is always traced.
    /// </summary>
    public double TraceSampleRatio { get; set; } = 0.05;

    /// <summary>The OTLP endpoint as a URI (checked by <see cref="ListoTelemetryOptionsValidator"/>), or null.</summary>
    public Uri? OtlpUri => string.IsNullOrWhiteSpace(OtlpEndpoint) ? null : new Uri(OtlpEndpoint, UriKind.Absolute);
}
