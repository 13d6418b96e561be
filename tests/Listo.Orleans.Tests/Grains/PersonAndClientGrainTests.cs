using Listo.Orleans.Grains;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Grains;

[Trait(Category.Key, Category.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class PersonAndClientGrainTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    [Fact]
    public async Task OnePersonAtThreeClients_ProfileFollowsNewest_EachEngagementFollowsItsClient()
    {
        var person = ListoEvents.NewId("lglsowpf");
        var clients = Enumerable.Range(0, 3).Select(_ => ListoEvents.NewId("lglsocli")).ToList();
        var workers = clients.Select(_ => ListoEvents.NewId("lglsowpr")).ToList();

        // Client 1 carries the newest snapshot of all; client 0 gets a stale retry after its newer one.
        await Apply(clients[0], workers[0], person, 10, "A0");
        await Apply(clients[1], workers[1], person, 30, "B1");
        await Apply(clients[2], workers[2], person, 20, "C2");
        await Apply(clients[0], workers[0], person, 25, "A0-newer");
        Assert.Equal(DeliveryOutcome.Stale, await Apply(clients[0], workers[0], person, 5, "A0-stale"));

        var view = await _grains.GetPersonGrain(person).GetAsync();

        Assert.NotNull(view);
        Assert.Equal("B1", ListoEvents.CityOfAddress(view.Profile.AddressJson!));
        Assert.Equal(ListoEvents.At(30), view.Stamp.OccurredAtText);
        Assert.Equal(clients.Order(StringComparer.Ordinal), view.Engagements.Select(e => e.ClientId));
        var byClient = view.Engagements.ToDictionary(e => e.ClientId);
        Assert.Equal(ListoEvents.At(25), byClient[clients[0]].Stamp.OccurredAtText);
        Assert.Equal(workers[2], byClient[clients[2]].WorkerId);
        Assert.Contains(workers[1][^6..], byClient[clients[1]].ContractsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PersonView_IsRebuiltFromWorkers_AfterThePersonDeactivates()
    {
        var person = ListoEvents.NewId("lglsowpf");
        var (c1, c2) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsocli"));
        await Apply(c1, ListoEvents.NewId("lglsowpr"), person, 10, "first");
        await Apply(c2, ListoEvents.NewId("lglsowpr"), person, 20, "second");

        await fixture.Cluster.DeactivateAsync(_grains.GetPersonGrain(person));
        var view = await _grains.GetPersonGrain(person).GetAsync();

        Assert.Equal(2, view!.Engagements.Count);
        Assert.Equal("second", ListoEvents.CityOfAddress(view.Profile.AddressJson!));
    }

    [Fact]
    public async Task Client_IndexesItsWorkers_OrderedById_WithTheirNewestLine()
    {
        var client = ListoEvents.NewId("lglsocli");
        var workers = Enumerable.Range(0, 5).Select(_ => ListoEvents.NewId("lglsowpr")).ToList();
        foreach (var worker in workers)
        {
            await Apply(client, worker, ListoEvents.NewId("lglsowpf"), 10, "x");
        }

        await Apply(client, workers[3], (await _grains.GetWorkerGrain(client, workers[3]).GetAsync())!.WorkerProfileId, 40, "y");
        await fixture.Cluster.DeactivateAsync(_grains.GetClientGrain(client));

        var view = await _grains.GetClientGrain(client).GetWorkersAsync();

        Assert.Equal(workers.Order(StringComparer.Ordinal), view!.Workers.Select(w => w.WorkerId));
        Assert.Equal(ListoEvents.At(40), view.Workers.Single(w => w.WorkerId == workers[3]).Stamp.OccurredAtText);
        Assert.Null(await _grains.GetClientGrain(client).GetAsync());
    }

    /// <summary>Steady-state updates write only the worker; the person's view and the client's list still show them at once.</summary>
    [Fact]
    public async Task SteadyStateUpdate_IsVisibleImmediately_InThePersonAndTheClientList()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var grain = _grains.GetWorkerGrain(client, worker);
        await grain.ApplyAsync(ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10, "first"));
        Assert.NotNull(await _grains.GetClientGrain(client).GetWorkersAsync());
        Assert.NotNull(await _grains.GetPersonGrain(person).GetAsync());

        for (var i = 1; i <= 3; i++)
        {
            await grain.ApplyAsync(ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10 + i, "update-" + i));
            Assert.Equal("update-" + i, ListoEvents.CityOfAddress((await _grains.GetPersonGrain(person).GetAsync())!.Profile.AddressJson!));
            Assert.Equal(ListoEvents.At(10 + i), Assert.Single((await _grains.GetClientGrain(client).GetWorkersAsync())!.Workers).Stamp.OccurredAtText);
        }
    }

    [Fact]
    public async Task ClientCreated_AppliesNewest_DuplicateAndStaleChangeNothing()
    {
        var client = ListoEvents.NewId("lglsocli");
        var grain = _grains.GetClientGrain(client);
        var older = new ClientSnapshot(client, ListoEvents.Stamp(ListoEvents.NewId("lglsoevt"), 10), "Old name", ListoEvents.ClientData(client, "Old name").ToJsonString());
        var newer = new ClientSnapshot(client, ListoEvents.Stamp(ListoEvents.NewId("lglsoevt"), 20), "New name", ListoEvents.ClientData(client, "New name").ToJsonString());

        Assert.Equal(DeliveryOutcome.Applied, await grain.ApplyAsync(newer));
        Assert.Equal(DeliveryOutcome.Stale, await grain.ApplyAsync(older));
        Assert.Equal(DeliveryOutcome.Duplicate, await grain.ApplyAsync(newer));
        Assert.Equal("New name", (await grain.GetAsync())!.Name);
        Assert.Empty((await grain.GetWorkersAsync())!.Workers);
    }

    [Fact]
    public async Task UnknownEntities_AreNull()
    {
        Assert.Null(await _grains.GetPersonGrain(ListoEvents.NewId("lglsowpf")).GetAsync());
        Assert.Null(await _grains.GetClientGrain(ListoEvents.NewId("lglsocli")).GetWorkersAsync());
        Assert.Null(await _grains.GetWorkerGrain(ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr")).GetAsync());
    }

    /// <summary>The person is the one step after the worker (a client's list is read from the workers' rows).</summary>
    [Fact]
    public async Task FailedStepAfterTheWorker_Surfaces_AndTheRetryConverges()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var snapshot = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10, "Capital City");
        fixture.Faults.FailWrites(StateNames.Person, GrainKeys.Person(person));

        // The worker's own write lands, the person's fails: the caller must see a failure (5xx).
        await Assert.ThrowsAnyAsync<Exception>(() => _grains.GetWorkerGrain(client, worker).ApplyAsync(snapshot));

        // Listo retries the same delivery: a duplicate for the worker, which re-drives the failed step.
        Assert.Equal(DeliveryOutcome.Duplicate, await _grains.GetWorkerGrain(client, worker).ApplyAsync(snapshot));

        var view = await _grains.GetPersonGrain(person).GetAsync();
        Assert.Equal("Capital City", ListoEvents.CityOfAddress(view!.Profile.AddressJson!));
        Assert.Equal(worker, Assert.Single((await _grains.GetClientGrain(client).GetWorkersAsync())!.Workers).WorkerId);
    }

    [Fact]
    public async Task FailedWorkerWrite_LeavesNothingBehind_AndTheRetryApplies()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var snapshot = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10);
        fixture.Faults.FailWrites(StateNames.Worker, GrainKeys.Worker(client, worker));

        await Assert.ThrowsAnyAsync<Exception>(() => _grains.GetWorkerGrain(client, worker).ApplyAsync(snapshot));
        Assert.Null(await _grains.GetWorkerGrain(client, worker).GetAsync());
        Assert.Null(await _grains.GetPersonGrain(person).GetAsync());

        Assert.Equal(DeliveryOutcome.Applied, await _grains.GetWorkerGrain(client, worker).ApplyAsync(snapshot));
        Assert.NotNull(await _grains.GetPersonGrain(person).GetAsync());
    }

    [Fact]
    public async Task WorkerMovingToAnotherPerson_LeavesTheOldPerson()
    {
        var (client, worker) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"));
        var (oldPerson, newPerson) = (ListoEvents.NewId("lglsowpf"), ListoEvents.NewId("lglsowpf"));
        await Apply(client, worker, oldPerson, 10, "x");
        await Apply(client, worker, newPerson, 20, "y");

        Assert.Null(await _grains.GetPersonGrain(oldPerson).GetAsync());
        Assert.Equal(worker, Assert.Single((await _grains.GetPersonGrain(newPerson).GetAsync())!.Engagements).WorkerId);
    }

    private Task<DeliveryOutcome> Apply(string client, string worker, string person, int at, string city)
        => _grains.GetWorkerGrain(client, worker).ApplyAsync(ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), at, city));
}
