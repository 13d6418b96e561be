using Listo.Orleans.Grains;
using Listo.Orleans.Storage;
using Listo.Orleans.Tests.Support;
using Orleans.Storage;

namespace Listo.Orleans.Tests.Storage;

/// <summary>
/// One contract for both grain storages over the same schema: the storage engine (default) and Orleans' ADO.NET
/// provider (<c>Storage:Provider=adonet</c>). Each runs in a real silo on a real PostgreSQL database.
/// </summary>
[Trait(Category.Key, Category.Postgres)]
public sealed class StorageContractTests
{
    public static TheoryData<string> Providers => new() { StorageProviders.Engine, StorageProviders.AdoNet };

    [Theory, MemberData(nameof(Providers))]
    public async Task ANewGrain_ReadsNothing_ThenWriteAndReadRoundTrip_AndEachWriteAdvancesTheVersion(string provider)
    {
        await using var host = await StartAsync(provider);
        var id = NewGrain();
        var fresh = new GrainState<WorkerState>(new WorkerState());
        await host.Storage.ReadStateAsync(StateNames.Worker, id, fresh);
        Assert.Null(fresh.ETag);
        Assert.False(fresh.RecordExists);

        var written = new GrainState<WorkerState>(State("e1", 1));
        await host.Storage.WriteStateAsync(StateNames.Worker, id, written);
        var first = written.ETag;
        written.State = State("e2", 2);
        await host.Storage.WriteStateAsync(StateNames.Worker, id, written);
        Assert.NotEqual(first, written.ETag);

        var read = new GrainState<WorkerState>(new WorkerState());
        await host.Storage.ReadStateAsync(StateNames.Worker, id, read);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(written.State!.Snapshot, read.State!.Snapshot);
        Assert.Equal(["e2", "e1"], read.State!.RecentEventIds);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task AWriteWithAStaleVersion_IsAConflict_AndTheStoredStateIsUnchanged(string provider)
    {
        await using var host = await StartAsync(provider);
        var id = NewGrain();
        var mine = new GrainState<WorkerState>(State("e1", 1));
        await host.Storage.WriteStateAsync(StateNames.Worker, id, mine);
        var stale = new GrainState<WorkerState>(State("e-stale", 5)) { ETag = mine.ETag };
        mine.State = State("e2", 2);
        await host.Storage.WriteStateAsync(StateNames.Worker, id, mine);

        await Assert.ThrowsAsync<InconsistentStateException>(() => host.Storage.WriteStateAsync(StateNames.Worker, id, stale));

        var read = new GrainState<WorkerState>(new WorkerState());
        await host.Storage.ReadStateAsync(StateNames.Worker, id, read);
        Assert.Equal("e2", read.State!.Snapshot!.Stamp.EventId);
        Assert.Equal(mine.ETag, read.ETag);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task ConcurrentFirstWrites_OneWins_TheOthersConflict_AndOneRowExists(string provider)
    {
        await using var host = await StartAsync(provider);
        var id = NewGrain();
        var writers = Enumerable.Range(0, 8).Select(i => new GrainState<WorkerState>(State($"e{i}", i))).ToList();

        var results = await Task.WhenAll(writers.Select(async w =>
        {
            try
            {
                await host.Storage.WriteStateAsync(StateNames.Worker, id, w);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Equal(1, results.Count(ok => ok));
        var winner = writers[Array.IndexOf(results, true)];
        var read = new GrainState<WorkerState>(new WorkerState());
        await host.Storage.ReadStateAsync(StateNames.Worker, id, read);
        Assert.Equal(winner.State!.Snapshot!.Stamp.EventId, read.State!.Snapshot!.Stamp.EventId);
        Assert.Equal(1L, await ScalarAsync<long>(host, $"SELECT count(*) FROM listo_grain_state WHERE grain_key = '{id.Key}'"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Clear_EmptiesTheState_KeepsItsVersionMoving_AndAWriteAfterItSucceeds(string provider)
    {
        await using var host = await StartAsync(provider);
        var id = NewGrain();
        var state = new GrainState<WorkerState>(State("e1", 1));
        await host.Storage.WriteStateAsync(StateNames.Worker, id, state);
        var beforeClear = state.ETag;

        await host.Storage.ClearStateAsync(StateNames.Worker, id, state);
        Assert.NotEqual(beforeClear, state.ETag);
        var read = new GrainState<WorkerState>(new WorkerState());
        await host.Storage.ReadStateAsync(StateNames.Worker, id, read);
        Assert.False(read.RecordExists);
        Assert.Null(read.State!.Snapshot);

        state.State = State("e2", 2);
        await host.Storage.WriteStateAsync(StateNames.Worker, id, state);
        await host.Storage.ReadStateAsync(StateNames.Worker, id, read);
        Assert.Equal("e2", read.State!.Snapshot!.Stamp.EventId);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task AFailedWrite_LeavesTheStoredStateAndItsOutboxUnwritten_AndTheSameWriteSucceedsOnceStorageTakesIt(string provider)
    {
        await using var host = await StartAsync(provider);
        var id = NewGrain();
        var state = new GrainState<WorkerState>(State("e1", 1));
        await host.Storage.WriteStateAsync(StateNames.Worker, id, state);
        var held = state.ETag;

        // A real failed transaction: PostgreSQL refuses every new row version of this grain until the rule goes.
        await ExecuteAsync(host, $"ALTER TABLE listo_grain_state ADD CONSTRAINT contract_outage CHECK (grain_key <> '{id.Key}') NOT VALID");
        var change = Change(id, "e2");
        var next = State("e2", 2, new Outbox(change, null, Receipt("e2")));
        state.State = next;
        await Assert.ThrowsAnyAsync<Exception>(() => host.Storage.WriteStateAsync(StateNames.Worker, id, state));
        Assert.Equal(held, state.ETag);
        Assert.Equal(0L, await ScalarAsync<long>(host, "SELECT count(*) FROM listo_changes WHERE event_id = 'e2'"));

        await ExecuteAsync(host, "ALTER TABLE listo_grain_state DROP CONSTRAINT contract_outage");
        state.State = State("e2", 2, new Outbox(change, null, Receipt("e2")));
        await host.Storage.WriteStateAsync(StateNames.Worker, id, state);
        var read = new GrainState<WorkerState>(new WorkerState());
        await host.Storage.ReadStateAsync(StateNames.Worker, id, read);
        Assert.Equal("e2", read.State!.Snapshot!.Stamp.EventId);
        Assert.Equal(1L, await ScalarAsync<long>(host, "SELECT count(*) FROM listo_changes WHERE event_id = 'e2'"));
        Assert.Equal("applied", await ScalarAsync<string>(host, "SELECT outcome FROM listo_deliveries WHERE id = 'e2'"));
    }

    /// <summary>
    /// A worker's line in its client's list rides with its state write (in the engine's transaction, or right after
    /// Orleans' provider's write), a write without one keeps it, and a row written before schema 0008 gets its line
    /// from the migration: the directory reads the column, never the state's JSON.
    /// </summary>
    [Theory, MemberData(nameof(Providers))]
    public async Task AWorkersLine_RidesWithItsWrite_IsKeptByAWriteWithoutOne_AndIsBackfilledByTheMigration(string provider)
    {
        await using var host = await StartAsync(provider);
        var (client, worker) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"));
        var id = GrainId.Create("worker", GrainKeys.Worker(client, worker));
        var first = ListoEvents.Snapshot(client, worker, "lglsowpf_line1", "line1", 1, "City one");
        var state = new GrainState<WorkerState>(Carrying(new WorkerState { Snapshot = first, RecentEventIds = ["line1"] }, new Outbox(null, null, null, first.ToSummary())));
        await host.Storage.WriteStateAsync(StateNames.Worker, id, state);
        Assert.Equal(first.ToSummary(), Assert.Single(await host.Directory.ListAsync(client)));

        state.State = new WorkerState { Snapshot = first with { GoneAt = ListoEvents.At(2) }, RecentEventIds = ["line1"] };
        await host.Storage.WriteStateAsync(StateNames.Worker, id, state);
        Assert.Equal(first.ToSummary(), Assert.Single(await host.Directory.ListAsync(client)));

        var second = ListoEvents.Snapshot(client, worker, "lglsowpf_line1", "line2", 3, "City two");
        state.State = Carrying(new WorkerState { Snapshot = second, RecentEventIds = ["line1", "line2"] }, new Outbox(null, null, null, second.ToSummary()));
        await host.Storage.WriteStateAsync(StateNames.Worker, id, state);
        Assert.Equal(second.ToSummary(), Assert.Single(await host.Directory.ListAsync(client)));
        Assert.Empty(await host.Directory.ListAsync(ListoEvents.NewId("lglsocli")));

        await ExecuteAsync(host, $"UPDATE listo_grain_state SET listing = NULL WHERE grain_key = '{id.Key}'");
        Assert.Empty(await host.Directory.ListAsync(client));
        await ExecuteAsync(host, Migration("0008_worker_listing"));
        Assert.Equal(second.ToSummary(), Assert.Single(await host.Directory.ListAsync(client)));
    }

    private static WorkerState Carrying(WorkerState state, Outbox rows)
    {
        state.Carry(rows);
        return state;
    }

    private static string Migration(string name)
    {
        using var stream = typeof(ListoSchema).Assembly.GetManifestResourceStream($"Listo.Orleans.Schema.{name}.sql")!;
        return new StreamReader(stream).ReadToEnd();
    }

    [Theory]
    [InlineData(StorageProviders.Engine, StorageProviders.AdoNet)]
    [InlineData(StorageProviders.AdoNet, StorageProviders.Engine)]
    public async Task WhatOneProviderWrites_TheOtherReads_AndWritesOnFromItsVersion(string writer, string reader)
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("crossengine");
        var id = NewGrain();
        var written = new GrainState<WorkerState>(State("e1", 1));
        await using (var first = await StorageHost.StartAsync(connectionString, writer))
        {
            await first.Storage.WriteStateAsync(StateNames.Worker, id, written);
        }

        await using var second = await StorageHost.StartAsync(connectionString, reader);
        var read = new GrainState<WorkerState>(new WorkerState());
        await second.Storage.ReadStateAsync(StateNames.Worker, id, read);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(written.State!.Snapshot, read.State!.Snapshot);

        read.State = State("e2", 2);
        await second.Storage.WriteStateAsync(StateNames.Worker, id, read);
        await Assert.ThrowsAsync<InconsistentStateException>(() => second.Storage.WriteStateAsync(StateNames.Worker, id, written));
    }

    internal static GrainId NewGrain() => GrainId.Create("worker", GrainKeys.Worker(ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr")));

    internal static WorkerState State(string eventId, int atSeconds, Outbox? outbox = null)
    {
        var state = new WorkerState
        {
            Snapshot = ListoEvents.Snapshot("lglsocli_contract1", "lglsowpr_contract1", "lglsowpf_contract1", eventId, atSeconds, "City " + eventId),
            RecentEventIds = DeliveryRule.Remember(atSeconds > 1 ? ["e1"] : [], eventId),
        };
        state.Carry(outbox);
        return state;
    }

    internal static EntityChange Change(GrainId id, string eventId)
        => new(EntityTypes.Worker, id.Key.ToString()!, "c", "w", "p", eventId, ListoEvents.At(2), [new FieldChange("address.city", "\"a\"", "\"b\"")]);

    internal static JournalEntry Receipt(string eventId)
        => new(eventId, "worker.updated", ListoEvents.At(2), DateTimeOffset.UtcNow, JournalOutcomes.Applied, null, "{}"u8.ToArray());

    private static async Task<StorageHost> StartAsync(string provider)
        => await StorageHost.StartAsync(await PostgresServer.CreateMigratedDatabaseAsync("contract"), provider);

    internal static Task ExecuteAsync(StorageHost host, string sql) => Sql.ExecuteAsync(host.ConnectionString, sql);

    internal static Task<T> ScalarAsync<T>(StorageHost host, string sql) => Sql.ScalarAsync<T>(host.ConnectionString, sql);
}
