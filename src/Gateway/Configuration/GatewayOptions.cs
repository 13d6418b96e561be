using System.Net;
using Listo.Orleans.Hosting;

namespace Listo.Orleans.Gateway.Configuration;

/// <summary>The two listeners (<c>Gateway</c> section).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Serves <c>POST /webhooks/listo</c> and <c>/health/*</c>; the only one facing the internet.</summary>
    public string IngressUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Serves <c>/v1/*</c>, <c>/health/*</c> and operator endpoints.</summary>
    public string InternalUrl { get; set; } = "http://127.0.0.1:5081";

    /// <summary>Parses an <c>http://host:port</c> listener address; <c>*</c>, <c>+</c> and <c>0.0.0.0</c> mean every interface.</summary>
    public static IPEndPoint ParseEndpoint(string key, string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new StartupConfigurationException($"{key} is required (e.g. http://127.0.0.1:5080).");
        }

        var normalized = url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
        {
            throw new StartupConfigurationException($"{key} must be an http://host:port address (TLS ends at the ingress), got '{url}'.");
        }

        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, uri.Port);
        }

        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            throw new StartupConfigurationException($"{key} must name an IP address, localhost or *, got '{uri.Host}'.");
        }

        return new IPEndPoint(address, uri.Port);
    }
}
