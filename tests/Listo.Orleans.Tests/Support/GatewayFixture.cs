using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Listo.Orleans.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Listo.Orleans.Tests.Support;

/// <summary>
/// The real gateway (Kestrel on two loopback ports, co-hosted silo, embedded storage) started in-process,
/// reached over real sockets.
/// </summary>
public class GatewayFixture : WebhookClient, IAsyncLifetime
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string RotatedSecret = "whsec_dGhlIG5ldyBzZWNyZXQgYWZ0ZXIgcm90YXRpb24=";
    public const string QueryKey = "test-query-key-0123456789";
    public const int MaxBodyBytes = 64 * 1024;

    private WebApplication? _app;

    public StorageFaults Faults { get; } = new();

    public virtual async Task InitializeAsync()
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
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                Configure(builder);
            },
            silo =>
            {
                silo.AddStorageFaults(Faults);
                ConfigureServices(silo.Services);
            },
            TextWriter.Null);
        await _app.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Adds to the gateway's configuration (a derived fixture's settings), before anything reads it.</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    /// <summary>Adds to the gateway's services once its own are registered (a derived fixture's log capture).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>
    /// A port nothing listens on, below Linux's ephemeral range (32768 and up): a port the OS handed out with
    /// port 0 could be given again, between this check and the server's bind, to the outgoing connection of an
    /// Orleans client or an HTTP request, and the server would then fail with "address already in use". Ports
    /// are handed out in turn from a start that differs per test process.
    /// </summary>
    internal static int FreePort()
    {
        for (var tries = 0; tries < 1000; tries++)
        {
            var port = LowPortStart + (Interlocked.Increment(ref _nextLowPort) % LowPortCount);
            try
            {
                using var socket = new TcpListener(IPAddress.Loopback, port);
                socket.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: try the next one
            }
        }

        throw new InvalidOperationException($"No free port from {LowPortStart} to {LowPortStart + LowPortCount}.");
    }

    private const int LowPortStart = 20000, LowPortCount = 12000;
    private static int _nextLowPort = Environment.ProcessId * 97 % LowPortCount;
}
