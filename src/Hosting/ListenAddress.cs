using System.Diagnostics.CodeAnalysis;
using System.Net;
using Listo.Orleans.Storage;

namespace Listo.Orleans.Hosting;

/// <summary>The listener addresses of both roles (<c>Gateway:IngressUrl</c>, <c>Gateway:InternalUrl</c>, <c>Silo:InternalUrl</c>).</summary>
public static class ListenAddress
{
    /// <summary>What is wrong with <paramref name="url"/> as the value of <paramref name="key"/>, or null when it is a listener address.</summary>
    public static string? Check(string key, string? url) => TryParse(key, url, out _, out var problem) ? null : problem;

    /// <summary>
    /// Parses <c>http://ip:port</c>, <c>http://localhost:port</c> or <c>http://*:port</c> into the endpoint Kestrel
    /// binds; anything else stops start-up with one line naming <paramref name="key"/>.
    /// </summary>
    public static IPEndPoint Parse(string key, string? url)
        => TryParse(key, url, out var endpoint, out var problem) ? endpoint : throw new StartupConfigurationException(problem);

    private static bool TryParse(string key, string? url, [NotNullWhen(true)] out IPEndPoint? endpoint, [NotNullWhen(false)] out string? problem)
    {
        endpoint = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            problem = $"{key} is required (e.g. http://127.0.0.1:5080).";
            return false;
        }

        var normalized = url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
        {
            problem = $"{key} must be an http://host:port address (TLS ends at the ingress), got '{url}'.";
            return false;
        }

        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            endpoint = new IPEndPoint(IPAddress.Loopback, uri.Port);
            return true;
        }

        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            problem = $"{key} must name an IP address, localhost or *, got '{uri.Host}'.";
            return false;
        }

        endpoint = new IPEndPoint(address, uri.Port);
        return true;
    }
}
