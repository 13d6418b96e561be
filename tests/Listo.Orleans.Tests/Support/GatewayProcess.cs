using System.Globalization;
using System.Net;

namespace Listo.Orleans.Tests.Support;

/// <summary>A durable Gateway executable on its own ports, sharing a cluster through PostgreSQL.</summary>
internal sealed class GatewayProcess : WebhookClient, IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;

    private GatewayProcess(Dictionary<string, string> environment, Uri ingress, Uri @internal)
    {
        _environment = environment;
        Ingress = ingress;
        Internal = @internal;
    }

    public ChildProcess Process { get; private set; } = null!;

    /// <summary>The settings every process of one test cluster shares.</summary>
    public static Dictionary<string, string> ClusterSettings(string connectionString, string clusterId) => new()
    {
        ["ConnectionStrings__Listo"] = connectionString,
        ["Orleans__ClusterId"] = clusterId,
        ["Orleans__ServiceId"] = clusterId,
        ["Webhooks__Secrets__0"] = GatewayFixture.Secret,
        ["QueryApi__Keys__0"] = GatewayFixture.QueryKey,
    };

    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> cluster)
    {
        var ingress = new Uri($"http://127.0.0.1:{GatewayFixture.FreePort()}");
        var @internal = new Uri($"http://127.0.0.1:{GatewayFixture.FreePort()}");
        var environment = new Dictionary<string, string>(cluster)
        {
            ["Gateway__IngressUrl"] = ingress.ToString(),
            ["Gateway__InternalUrl"] = @internal.ToString(),
            ["Orleans__SiloPort"] = GatewayFixture.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = GatewayFixture.FreePort().ToString(CultureInfo.InvariantCulture),
        };
        var gateway = new GatewayProcess(environment, ingress, @internal);
        await gateway.RestartAsync();
        return gateway;
    }

    /// <summary>Starts (again) on the same ports and waits until ready.</summary>
    public async Task RestartAsync()
    {
        Process = ChildProcess.Start("gateway", Repository.Executable("Gateway", "Listo.Orleans.Gateway"), _environment);
        await WaitReadyAsync(this, Process);
    }

    public static ChildProcess StartSilo(IReadOnlyDictionary<string, string> cluster)
        => ChildProcess.Start("silo", Repository.Executable("Silo", "Listo.Orleans.Silo"), new Dictionary<string, string>(cluster)
        {
            ["Orleans__SiloPort"] = GatewayFixture.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = GatewayFixture.FreePort().ToString(CultureInfo.InvariantCulture),
        });

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        Http.Dispose();
    }

    private static async Task WaitReadyAsync(WebhookClient client, ChildProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited during start:\n{process.Output}");
            }

            try
            {
                if ((await client.GetAsync("/health/ready", key: null)).Status == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{process.Name} was not ready within 90 s:\n{process.Output}");
    }
}
