namespace Listo.Orleans.Gateway.Configuration;

/// <summary>
/// The two listeners (<c>Gateway</c> section), read when Kestrel is configured, before the container exists
/// (<see cref="Storage.ListoOptions.Read{TOptions}"/> with <see cref="GatewayOptionsValidator"/>).
/// </summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Serves <c>POST /webhooks/listo</c> and <c>/health/*</c>; the only one facing the internet.</summary>
    public string IngressUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Serves <c>/v1/*</c>, <c>/health/*</c> and operator endpoints.</summary>
    public string InternalUrl { get; set; } = "http://127.0.0.1:5081";
}
