using System.Net;
using Listo.Orleans.Storage;

namespace Listo.Orleans.Hosting;

/// <summary>The listener addresses of both roles (<c>Gateway:IngressUrl</c>, <c>Gateway:InternalUrl</c>, <c>Silo:InternalUrl</c>).</summary>
public static class ListenAddress
{
    /// <summary>Configuration key: the headless Silo's only listener (<c>/health/*</c>, <c>/metrics</c>).</summary>
    public const string SiloInternalUrlKey = "Silo:InternalUrl";

    /// <summary>The default of <see cref="SiloInternalUrlKey"/>: loopback, beside the Gateway's 5080 and 5081.</summary>
    public const string SiloInternalUrlDefault = "http://127.0.0.1:5091";

    /// <summary>
    /// Parses <c>http://ip:port</c>, <c>http://localhost:port</c> or <c>http://*:port</c> into the endpoint Kestrel
    /// binds; anything else stops start-up with one line naming <paramref name="key"/>.
    /// </summary>
    public static IPEndPoint Parse(string key, string? url)
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
