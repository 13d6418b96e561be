using Listo.Orleans.Grains;
using Listo.Orleans.Storage;
using Listo.Orleans.Tests.Support;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Listo.Orleans.Tests.Grains;

/// <summary>A grain storage that cannot carry the rows that ride with a state write stops the silo at start, not silently later.</summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class OutboxStorageCheckTests
{
    [Fact]
    public async Task ASiloWhoseListoStorageCannotCarryOutboxes_RefusesToStart_NamingIt()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddListoStorage(new ConfigurationBuilder().Build()).AddMemoryGrainStorage(StateNames.Storage));
        var cluster = builder.Build();
        try
        {
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => cluster.DeployAsync());
            var message = string.Join(" | ", Flatten(failure).Select(e => e.Message));
            Assert.Contains($"The grain storage '{StateNames.Storage}'", message, StringComparison.Ordinal);
            Assert.Contains(nameof(IOutboxGrainStorage), message, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheProductionRegistration_Starts_AndItsStorageCarriesOutboxes()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddListoStorage(new ConfigurationBuilder().Build()));
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            var snapshot = ListoEvents.Snapshot(ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"), ListoEvents.NewId("lglsoevt"), 1);
            Assert.Equal(DeliveryOutcome.Applied, await cluster.Client.GetWorkerGrain(snapshot.ClientId, snapshot.WorkerId).ApplyAsync(snapshot));
            Assert.Equal(snapshot.WorkerId, Assert.Single((await cluster.Client.GetClientGrain(snapshot.ClientId).GetWorkersAsync())!.Workers).WorkerId);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
