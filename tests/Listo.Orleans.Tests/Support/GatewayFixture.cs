using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Listo.Orleans.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Listo.Orleans.Tests.Support;

/// <summary>
/// The real gateway (Kestrel on two loopback ports, co-hosted silo, embedded storage) started in-process,
/// reached over real sockets.
/// </summary>
public sealed class GatewayFixture : WebhookClient, IAsyncLifetime
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string RotatedSecret = "whsec_dGhlIG5ldyBzZWNyZXQgYWZ0ZXIgcm90YXRpb24=";
    public const string QueryKey = "test-query-key-0123456789";
    public const int MaxBodyBytes = 64 * 1024;

    private WebApplication? _app;

    public StorageFaults Faults { get; } = new();

    public async Task InitializeAsync()
    {
        var ingressPort = FreePort();
        var internalPort = FreePort();
        Ingress = new Uri($"http://127.0.0.1:{ingressPort}");
        Internal = new Uri($"http://127.0.0.1:{internalPort}");
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:IngressUrl"] = Ingress.ToString(),
            ["Gateway:InternalUrl"] = Internal.ToString(),
            ["Webhooks:Secrets:0"] = RotatedSecret,
            ["Webhooks:Secrets:1"] = Secret,
            ["Webhooks:MaxBodyBytes"] = MaxBodyBytes.ToString(CultureInfo.InvariantCulture),
            ["Webhooks:ApplyTimeoutSeconds"] = "5",
            ["QueryApi:Keys:0"] = QueryKey,
            ["Orleans:ClusterId"] = "gateway-tests-" + Guid.NewGuid().ToString("N")[..8],
            ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _app = GatewayApp.Create(
            ["--environment", "Development"],
            builder => builder.Configuration.AddInMemoryCollection(settings),
            silo => silo.AddStorageFaults(Faults),
            TextWriter.Null);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    internal static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
