using Listo.Orleans.FakeListo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Listo.Orleans.Tests.Support;

/// <summary>
/// The real gateway (embedded) configured to refetch from a fake Listo: a real Kestrel server on loopback, so the
/// real HttpClient and resilience pipeline run over sockets. Short timeouts keep the failure tests quick; every
/// line the HTTP client, the pipeline and the refetch code log (down to Trace) is captured.
/// </summary>
public sealed class RefetchGatewayFixture : GatewayFixture
{
    public const string ApiKey = "listo-test-api-key-5f1c9e0a7b3d";

    public FakeListoServer Listo { get; } = new(ApiKey);

    public CapturedLogs Logs { get; } = new();

    public override async Task InitializeAsync()
    {
        await Listo.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Listo.DisposeAsync();
    }

    protected override void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Listo:ApiBaseUrl"] = Listo.BaseAddress.ToString(),
            ["Listo:ApiKey"] = ApiKey,
            ["Listo:AttemptTimeoutSeconds"] = "0.5",
            ["Listo:TimeoutSeconds"] = "4",
            ["Listo:Retries"] = "2",
            ["Listo:RequestsPerSecond"] = "100",
        });
    }

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<ILoggerProvider>(Logs);
        services.Configure<LoggerFilterOptions>(filters =>
        {
            foreach (var category in new[] { "System.Net.Http", "Polly", "Microsoft.Extensions.Http", "Listo" })
            {
                filters.AddFilter<CapturedLogs>(category, LogLevel.Trace);
            }
        });
    }
}
