
namespace Listo.Orleans.Gateway.Configuration;

/// <summary>Delivery verification settings (<c>Webhooks</c> section).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Signing secrets, newest first; several at once during rotation.</summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>Allowed distance of <c>webhook-timestamp</c> from now, either way.</summary>
    public int ToleranceSeconds { get; set; } = 300;

    /// <summary>Largest accepted body; larger ones get 413 before they are buffered whole.</summary>
    public int MaxBodyBytes { get; set; } = 1_048_576;

    /// <summary>How long a delivery may take to become durable before it is answered 503.</summary>
    public int ApplyTimeoutSeconds { get; set; } = 10;
}
