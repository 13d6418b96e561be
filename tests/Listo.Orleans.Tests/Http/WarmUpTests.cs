using System.Net;
using Listo.Orleans.Gateway.Webhooks;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Http;

/// <summary>
/// The gateway warms its delivery path before /health/ready answers 200 (StartupWarmUp, DeliveryWarmUp), and the
/// warm-up leaves nothing a user can see: no change, no journal entry, no entity under its reserved keys.
/// </summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class WarmUpTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
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
}
