using Listo.Orleans.Grains;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Grains;

[Trait(Category.Key, Category.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class WorkerGrainTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    [Fact]
    public async Task NewerSnapshot_IsApplied_AndServedVerbatim()
    {
        var (client, worker, person) = Ids();
        var first = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10, "Springfield");
        var second = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 20, "Shelbyville");
        var grain = _grains.GetWorkerGrain(client, worker);

        Assert.Equal(DeliveryOutcome.Applied, await grain.ApplyAsync(first));
        Assert.Equal(DeliveryOutcome.Applied, await grain.ApplyAsync(second));

        var held = await grain.GetAsync();
        Assert.NotNull(held);
        Assert.Equal(second.Data, held.Data);
        Assert.Equal(second.Stamp, held.Stamp);
    }

    [Fact]
    public async Task OlderSnapshotArrivingLate_IsStale_AndStateUnchanged()
    {
        var (client, worker, person) = Ids();
        var newer = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 20, "Shelbyville");
        var older = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10, "Springfield");
        var grain = _grains.GetWorkerGrain(client, worker);

        Assert.Equal(DeliveryOutcome.Applied, await grain.ApplyAsync(newer));
        Assert.Equal(DeliveryOutcome.Stale, await grain.ApplyAsync(older));

        Assert.Equal("Shelbyville", ListoEvents.City((await grain.GetAsync())!.Data));
    }

    [Fact]
    public async Task SameEventTwice_IsDuplicate_EvenAfterANewerOne()
    {
        var (client, worker, person) = Ids();
        var first = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10);
        var second = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 20, "Shelbyville");
        var grain = _grains.GetWorkerGrain(client, worker);

        await grain.ApplyAsync(first);
        Assert.Equal(DeliveryOutcome.Duplicate, await grain.ApplyAsync(first));
        await grain.ApplyAsync(second);
        Assert.Equal(DeliveryOutcome.Duplicate, await grain.ApplyAsync(first));
        Assert.Equal(DeliveryOutcome.Duplicate, await grain.ApplyAsync(second));
        Assert.Equal("Shelbyville", ListoEvents.City((await grain.GetAsync())!.Data));
    }

    [Fact]
    public async Task StateSurvivesDeactivation()
    {
        var (client, worker, person) = Ids();
        var snapshot = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10, "Ogdenville");
        var grain = _grains.GetWorkerGrain(client, worker);
        await grain.ApplyAsync(snapshot);

        await fixture.Cluster.DeactivateAsync(grain);
        await fixture.Cluster.DeactivateAsync(_grains.GetPersonGrain(person));
        await fixture.Cluster.DeactivateAsync(_grains.GetClientGrain(client));

        Assert.Equal(snapshot, await grain.GetAsync());
        Assert.Equal(DeliveryOutcome.Duplicate, await grain.ApplyAsync(snapshot));
        var view = await _grains.GetPersonGrain(person).GetAsync();
        Assert.Equal(worker, Assert.Single(view!.Engagements).WorkerId);
        var workers = await _grains.GetClientGrain(client).GetWorkersAsync();
        Assert.Equal(worker, Assert.Single(workers!.Workers).WorkerId);
    }

    /// <summary>Random permutations of one multiset through real grains: every order ends in the sorted maximum.</summary>
    [Fact]
    public async Task AnyArrivalOrder_ThroughTheGrain_EndsInTheNewestSnapshot()
    {
        var random = new Random(7);
        var (client, _, person) = Ids();
        var workerIds = Enumerable.Range(0, 6).Select(_ => ListoEvents.NewId("lglsowpr")).ToList();
        var eventIds = Enumerable.Range(0, 8).Select(_ => ListoEvents.NewId("lglsoevt")).ToList();
        var seconds = eventIds.Select(_ => random.Next(0, 3)).ToList(); // few instants: many ties broken by id

        foreach (var workerId in workerIds)
        {
            var events = eventIds.Select((id, i) => ListoEvents.Snapshot(client, workerId, person, id, seconds[i], "city-" + id)).ToList();
            var deliveries = events.Concat(events.Where(_ => random.Next(2) == 0)).OrderBy(_ => random.Next()).ToList();
            var expected = events.MaxBy(e => e.Stamp)!;

            var grain = _grains.GetWorkerGrain(client, workerId);
            var outcomes = new List<DeliveryOutcome>();
            foreach (var delivery in deliveries)
            {
                outcomes.Add(await grain.ApplyAsync(delivery));
            }

            var held = await grain.GetAsync();
            Assert.True(expected.Stamp == held!.Stamp, $"worker {workerId}: expected {expected.Stamp.EventId}, holds {held.Stamp.EventId}");
            Assert.Equal(expected.Data, held.Data);
            // Each event applies at most once; whatever came after the newest was not applied.
            Assert.InRange(outcomes.Count(o => o == DeliveryOutcome.Applied), 1, eventIds.Count);
            Assert.Equal(DeliveryOutcome.Applied, outcomes[deliveries.FindIndex(d => d.Stamp == expected.Stamp)]);
        }
    }

    [Fact]
    public async Task ConcurrentDeliveries_ForOneWorker_AreSerialized_AndTheNewestWins()
    {
        var (client, worker, person) = Ids();
        var events = Enumerable.Range(0, 40).Select(i => ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), i, "city-" + i)).ToList();
        var grain = _grains.GetWorkerGrain(client, worker);

        var outcomes = await Task.WhenAll(events.AsEnumerable().Reverse().Concat(events).Select(e => grain.ApplyAsync(e)));

        Assert.Equal("city-39", ListoEvents.City((await grain.GetAsync())!.Data));
        Assert.Equal("city-39", ListoEvents.CityOfAddress((await _grains.GetPersonGrain(person).GetAsync())!.Profile.AddressJson!));
        // Every event was delivered twice: each applies at most once, so at least half the answers are not 'applied'.
        Assert.InRange(outcomes.Count(o => o == DeliveryOutcome.Applied), 1, events.Count);
    }

    private static (string Client, string Worker, string Person) Ids()
        => (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
}
