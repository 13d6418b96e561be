using System.Net;
using Listo.Orleans.Gateway.Webhooks;
using Listo.Orleans.Hosting.Operations;
using Listo.Orleans.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Listo.Orleans.Tests.Http;

/// <summary>
/// The gateway warms its delivery path before /health/ready answers 200 (StartupWarmUp, DeliveryWarmUp), and the
/// warm-up leaves nothing a user can see: no change, no journal entry, no entity under its reserved keys.
/// </summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class WarmUpTests(WarmUpTests.Fixture gateway) : IClassFixture<WarmUpTests.Fixture>
{
    [Fact]
    public async Task AFreshGateway_TurnsReadyAfterItsWarmUp_WhichLeftNothingBehind()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode ready;
        while ((ready = (await gateway.GetAsync("/health/ready", key: null, gateway.Internal)).Status) != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(HttpStatusCode.OK, ready);

        // Every step ran to its end: a step that throws is logged and skipped, and the pod turns ready cold.
        Assert.Contains(gateway.Logs.Lines, l => l.Contains("Warmed up in", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Logs.Lines, l => l.Contains("failed or ran out of time", StringComparison.Ordinal));
        var (changesStatus, changes) = await gateway.GetAsync("/v1/changes?limit=100");
        Assert.Equal(HttpStatusCode.OK, changesStatus);
        Assert.Empty(changes.GetProperty("changes").EnumerateArray());
        var (journalStatus, journal) = await gateway.GetAsync("/v1/deliveries?limit=100");
        Assert.Equal(HttpStatusCode.OK, journalStatus);
        Assert.Empty(journal.GetProperty("deliveries").EnumerateArray());

        // The keys it read cannot be named from outside: an id with a space is not an id, answered 404 before any grain.
        var reserved = Uri.EscapeDataString(DeliveryWarmUp.ReservedId);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync($"/v1/clients/{reserved}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync($"/v1/people/{reserved}%200")).Status);
    }

    /// <summary>The gateway with its warm-up's log lines kept.</summary>
    public sealed class Fixture : GatewayFixture
    {
        public CapturedLogs Logs { get; } = new();

        protected override void ConfigureServices(IServiceCollection services)
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            services.Configure<LoggerFilterOptions>(filters => filters.AddFilter<CapturedLogs>(typeof(StartupWarmUp).FullName, LogLevel.Trace));
        }
    }
}
