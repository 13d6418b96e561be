using Listo.Orleans.Grains;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Refetching;

/// <summary>
/// A refetch at the grains: stamped with its request's send instant (<see cref="RefetchStamp.At"/>), applied by the
/// ordering rule. Listo events below occur at Base + 10, 20 and 40 s; the refetch is sent at Base + 30 s.
/// </summary>
[Trait(Category.Key, Category.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class RefetchGrainTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    [Fact]
    public async Task RefreshWithNewerData_IsApplied_MarkedAsARefetch_AndThePersonFollows()
    {
        var (client, worker, person) = Ids();
        var grain = _grains.GetWorkerGrain(client, worker);
        Assert.Equal(DeliveryOutcome.Applied, await grain.ApplyAsync(Event(client, worker, person, 10, "Springfield")));

        Assert.Equal(RefreshOutcome.Applied, await grain.RefreshAsync(Fetched(client, worker, person, 30, "Shelbyville")));

        var held = (await grain.GetAsync())!;
        Assert.Equal("Shelbyville", ListoEvents.City(held.Data));
        Assert.Equal(RefetchAt(30), held.Stamp);
        Assert.StartsWith("refetch:", held.Stamp.EventId, StringComparison.Ordinal);
        var change = (await fixture.Feed.ReadEntityAsync(EntityTypes.Worker, GrainKeys.Worker(client, worker), 10, default))[0];
        Assert.Equal(RefetchAt(30).EventId, change.EventId);
        Assert.Equal("address.city", Assert.Single(change.Fields).Path);

        var view = (await _grains.GetPersonGrain(person).GetAsync())!;
        Assert.Equal(RefetchAt(30), Assert.Single(view.Engagements).Stamp);
    }

    [Fact]
    public async Task SecondRefreshWithTheSameData_IsUnchanged_AndAddsNoChange()
    {
        var (client, worker, person) = Ids();
        var grain = _grains.GetWorkerGrain(client, worker);
        await grain.ApplyAsync(Event(client, worker, person, 10, "Springfield"));
        Assert.Equal(RefreshOutcome.Applied, await grain.RefreshAsync(Fetched(client, worker, person, 30, "Shelbyville")));
        var changes = (await fixture.Feed.ReadEntityAsync(EntityTypes.Worker, GrainKeys.Worker(client, worker), 10, default)).Count;

        Assert.Equal(RefreshOutcome.Unchanged, await grain.RefreshAsync(Fetched(client, worker, person, 35, "Shelbyville")));

        Assert.Equal(RefetchAt(30), (await grain.GetAsync())!.Stamp);
        Assert.Equal(changes, (await fixture.Feed.ReadEntityAsync(EntityTypes.Worker, GrainKeys.Worker(client, worker), 10, default)).Count);
    }

    [Fact]
    public async Task DeliveryEmittedBeforeTheRefetch_ArrivingAfterIt_IsStale()
    {
        var (client, worker, person) = Ids();
        var grain = _grains.GetWorkerGrain(client, worker);
        await grain.ApplyAsync(Event(client, worker, person, 10, "Springfield"));
        await grain.RefreshAsync(Fetched(client, worker, person, 30, "Shelbyville"));

        Assert.Equal(DeliveryOutcome.Stale, await grain.ApplyAsync(Event(client, worker, person, 20, "Ogdenville")));
        Assert.Equal("Shelbyville", ListoEvents.City((await grain.GetAsync())!.Data));
    }

    [Fact]
    public async Task DeliveryEmittedAfterTheRefetch_Wins()
    {
        var (client, worker, person) = Ids();
        var grain = _grains.GetWorkerGrain(client, worker);
        await grain.ApplyAsync(Event(client, worker, person, 10, "Springfield"));
        await grain.RefreshAsync(Fetched(client, worker, person, 30, "Shelbyville"));

        Assert.Equal(DeliveryOutcome.Applied, await grain.ApplyAsync(Event(client, worker, person, 40, "Capital City")));
        Assert.Equal("Capital City", ListoEvents.City((await grain.GetAsync())!.Data));
    }

    [Fact]
    public async Task UnchangedRefresh_KeepsTheEvent_ButOlderDeliveriesNowLoseToIt()
    {
        var (client, worker, person) = Ids();
        var grain = _grains.GetWorkerGrain(client, worker);
        var first = Event(client, worker, person, 10, "Springfield");
        await grain.ApplyAsync(first);

        Assert.Equal(RefreshOutcome.Unchanged, await grain.RefreshAsync(Fetched(client, worker, person, 30, "Springfield")));
        Assert.Equal(first.Stamp, (await grain.GetAsync())!.Stamp);

        Assert.Equal(DeliveryOutcome.Stale, await grain.ApplyAsync(Event(client, worker, person, 20, "Ogdenville")));
        Assert.Equal(DeliveryOutcome.Duplicate, await grain.ApplyAsync(first));
        Assert.Equal(DeliveryOutcome.Applied, await grain.ApplyAsync(Event(client, worker, person, 40, "Ogdenville")));
    }

    [Fact]
    public async Task RefreshSentBeforeAHeldDelivery_ChangesNothing()
    {
        var (client, worker, person) = Ids();
        var grain = _grains.GetWorkerGrain(client, worker);
        await grain.ApplyAsync(Event(client, worker, person, 40, "Capital City"));

        Assert.Equal(RefreshOutcome.Unchanged, await grain.RefreshAsync(Fetched(client, worker, person, 30, "Shelbyville")));
        Assert.Equal("Capital City", ListoEvents.City((await grain.GetAsync())!.Data));
    }

    [Fact]
    public async Task Gone_KeepsTheSnapshotMarked_UntilNewerDataArrives()
    {
        var (client, worker, person) = Ids();
        var grain = _grains.GetWorkerGrain(client, worker);
        await grain.ApplyAsync(Event(client, worker, person, 10, "Springfield"));

        Assert.Equal(RefreshOutcome.Gone, await grain.MarkGoneAsync(RefetchAt(30)));
        var marked = (await grain.GetAsync())!;
        Assert.Equal(RefetchAt(30).OccurredAtText, marked.GoneAt);
        Assert.Equal("Springfield", ListoEvents.City(marked.Data));

        Assert.Equal(DeliveryOutcome.Stale, await grain.ApplyAsync(Event(client, worker, person, 20, "Ogdenville")));
        Assert.Equal(DeliveryOutcome.Applied, await grain.ApplyAsync(Event(client, worker, person, 40, "Ogdenville")));
        Assert.Null((await grain.GetAsync())!.GoneAt);
    }

    [Fact]
    public async Task Client_RefreshAppliesThenIsUnchanged_AndGoneIsMarked()
    {
        var client = ListoEvents.NewId("lglsocli");
        var grain = _grains.GetClientGrain(client);
        var created = new ClientSnapshot(client, ListoEvents.Stamp(ListoEvents.NewId("lglsoevt"), 10), "Old name", ListoEvents.ClientData(client, "Old name").ToJsonString());
        await grain.ApplyAsync(created);

        var fetched = new ClientSnapshot(client, RefetchAt(30), "New name", ListoEvents.ClientData(client, "New name").ToJsonString());
        Assert.Equal(RefreshOutcome.Applied, await grain.RefreshAsync(fetched));
        Assert.Equal(RefreshOutcome.Unchanged, await grain.RefreshAsync(fetched with { Stamp = RefetchAt(35) }));
        Assert.Equal("New name", (await grain.GetAsync())!.Name);
        Assert.Equal(DeliveryOutcome.Stale, await grain.ApplyAsync(created with { Stamp = ListoEvents.Stamp(ListoEvents.NewId("lglsoevt"), 20) }));

        Assert.Equal(RefreshOutcome.Gone, await grain.MarkGoneAsync(RefetchAt(50)));
        Assert.Equal(RefetchAt(50).OccurredAtText, (await grain.GetAsync())!.GoneAt);
    }

    private static (string Client, string Worker, string Person) Ids()
        => (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));

    private static WorkerSnapshot Event(string client, string worker, string person, int atSeconds, string city)
        => ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), atSeconds, city);

    private static EventStamp RefetchAt(int seconds) => RefetchStamp.At(ListoEvents.Base.AddSeconds(seconds));

    private static WorkerSnapshot Fetched(string client, string worker, string person, int atSeconds, string city)
        => Event(client, worker, person, 0, city) with { Stamp = RefetchAt(atSeconds) };
}
