namespace Listo.Orleans.Refetch;

/// <summary>
/// How Listo's public REST API is reached when an entity is refetched through its <c>links.self</c>
/// (configuration section <c>Listo</c>).
/// </summary>
public sealed class ListoApiOptions
{
    public const string Section = "Listo";

    /// <summary>Listo's public REST API; <c>links.self</c> paths are appended to it.</summary>
    public string ApiBaseUrl { get; set; } = "https://gateway.listoglobal.com";

    /// <summary>Sent as <c>x-api-key</c>; never logged. Without it refresh answers 503 and reconcile exits 2.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Requests per second this process sends to Listo, retries included (a token bucket holding a twentieth of
    /// a second's worth). Listo does not publish its limit; 10 per second is a polite default.
    /// </summary>
    public int RequestsPerSecond { get; set; } = 10;

    /// <summary>How long one attempt may take before it counts as failed and is retried.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 10;

    /// <summary>How long a refetch may take in all, retries and waits for the rate limit included; past it, 504.</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>Retries after a 429, a 5xx, a timed-out attempt or a connection failure, with jittered backoff or Retry-After.</summary>
    public int Retries { get; set; } = 4;

    /// <summary>Whether a key is configured: refetching is possible.</summary>
    public bool HasKey => !string.IsNullOrWhiteSpace(ApiKey);
}
