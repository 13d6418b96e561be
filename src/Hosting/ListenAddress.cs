using System.Net;
using Listo.Orleans.Storage;

namespace Listo.Orleans.Hosting;

/// <summary>The listener addresses of both roles (<c>Gateway:IngressUrl</c>, <c>Gateway:InternalUrl</c>, <c>Silo:InternalUrl</c>).</summary>
public static class ListenAddress
{
    /// <summary>What is wrong with <paramref name="url"/> as the value of <paramref name="key"/>, or null when it is a listener address.</summary>
    public static string? Check(string key, string? url)
    {
        try
        {
            Parse(key, url);
            return null;
        }
        catch (StartupConfigurationException ex)
        {
            return ex.Message;
        }
    }

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
