using Listo.Orleans.Storage;
using System.Text.Json;
using Listo.Orleans.Grains;
using Listo.Orleans.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Listo.Orleans.Tests.Durable;

/// <summary>Two in-process silos whose grain storage is the real PostgreSQL schema.</summary>
public sealed class DurableClusterFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateMigratedDatabaseAsync("grains");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [StorageMode.ConnectionStringKey] = ConnectionString })
            .Build();
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.AddListoStorage(configuration));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[Trait(Category.Key, Category.Postgres)]
public sealed class DurableGrainTests(DurableClusterFixture fixture) : IClassFixture<DurableClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task StateSurvivesDeactivation_ReadBackFromPostgres()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var snapshot = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10, "Cypress Creek");
        await Grains.GetWorkerGrain(client, worker).ApplyAsync(snapshot);

        await fixture.Cluster.DeactivateAsync(Grains.GetWorkerGrain(client, worker));
        await fixture.Cluster.DeactivateAsync(Grains.GetPersonGrain(person));
        await fixture.Cluster.DeactivateAsync(Grains.GetClientGrain(client));

        Assert.Equal(snapshot, await Grains.GetWorkerGrain(client, worker).GetAsync());
        Assert.Equal("Cypress Creek", ListoEvents.CityOfAddress((await Grains.GetPersonGrain(person).GetAsync())!.Profile.AddressJson!));
        Assert.Equal(worker, Assert.Single((await Grains.GetClientGrain(client).GetWorkersAsync())!.Workers).WorkerId);
    }

    [Fact]
    public async Task StorageRows_AreExplicitJson_OneStateNamePerGrainType_WithPrefixedKeys()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var snapshot = ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10);
        await Grains.GetWorkerGrain(client, worker).ApplyAsync(snapshot);
        await Grains.GetClientGrain(client).ApplyAsync(new ClientSnapshot(
            client, ListoEvents.Stamp(ListoEvents.NewId("lglsoevt"), 5), "Client", ListoEvents.ClientData(client, "Client").ToJsonString()));

        var rows = await QueryAsync($"""
            SELECT state_name, grain_key, payload::text FROM listo_grain_state
             WHERE grain_key IN ('{GrainKeys.Worker(client, worker)}', '{GrainKeys.Person(person)}', '{GrainKeys.Client(client)}')
             ORDER BY state_name
            """);

        Assert.Equal(["client", "person", "worker"], rows.Select(r => r[0]));
        using var workerRow = JsonDocument.Parse(rows[2][2]);
        var stored = workerRow.RootElement.GetProperty("snapshot");
        Assert.Equal(worker, stored.GetProperty("workerId").GetString());
        Assert.Equal(snapshot.Data, stored.GetProperty("data").GetRawText());
        Assert.DoesNotContain("$type", rows[2][2], StringComparison.Ordinal);
        Assert.Equal(worker, JsonDocument.Parse(rows[1][2]).RootElement.GetProperty("engagements").GetProperty(client).GetString());
    }

    [Fact]
    public async Task SteadyStateUpdate_WritesOnlyTheWorkerRow()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var grain = Grains.GetWorkerGrain(client, worker);
        await grain.ApplyAsync(ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 10));
        for (var i = 0; i < 5; i++)
        {
            await grain.ApplyAsync(ListoEvents.Snapshot(client, worker, person, ListoEvents.NewId("lglsoevt"), 20 + i));
        }

        var versions = (await QueryAsync($"""
            SELECT state_name, version::text FROM listo_grain_state
             WHERE grain_key IN ('{GrainKeys.Worker(client, worker)}', '{GrainKeys.Person(person)}', '{GrainKeys.Client(client)}')
            """)).ToDictionary(r => r[0], r => int.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(6, versions["worker"]);
        Assert.Equal(1, versions["person"]);
        Assert.False(versions.ContainsKey("client"), "a worker delivery writes no client row: the client's list is read from the workers' rows");
    }

    /// <summary>The upstream table has no unique key: two first writes could both insert and wedge the grain. Ours cannot.</summary>
    [Fact]
    public async Task TwoConcurrentFirstWrites_OneWins_TheOtherGetsAVersionConflict()
    {
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StateNames.Storage);
        for (var round = 0; round < 20; round++)
        {
            var key = GrainKeys.Worker(ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"));
            var grainId = GrainId.Create("worker", key);
            var states = Enumerable.Range(0, 2).Select(i => new GrainState<WorkerState>(new WorkerState { RecentEventIds = ["racer-" + i] })).ToList();

            var results = await Task.WhenAll(states.Select(async s =>
            {
                try
                {
                    await storage.WriteStateAsync(StateNames.Worker, grainId, s);
                    return (Exception?)null;
                }
                catch (InconsistentStateException ex)
                {
                    return ex;
                }
            }));

            Assert.Equal(1, results.Count(r => r is null));
            Assert.Equal(1, results.Count(r => r is InconsistentStateException));
            var rows = await QueryAsync($"SELECT version::text, payload::text FROM listo_grain_state WHERE grain_key = '{key}'");
            var row = Assert.Single(rows);
            var winner = states[Array.FindIndex(results, r => r is null)];
            Assert.Equal("1", row[0]);
            Assert.Contains(winner.State!.RecentEventIds[0], row[1], StringComparison.Ordinal);

            // The winner carries on writing; a stale writer can never overwrite it.
            await storage.WriteStateAsync(StateNames.Worker, grainId, winner);
            var loser = states[Array.FindIndex(results, r => r is not null)];
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateNames.Worker, grainId, loser));
        }
    }

    private async Task<List<string[]>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        }

        return rows;
    }
}
