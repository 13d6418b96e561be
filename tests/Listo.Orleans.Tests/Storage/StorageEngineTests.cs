using Listo.Orleans.Grains;
using Listo.Orleans.Storage;
using Listo.Orleans.Tests.Support;
using Orleans.Storage;
using static Listo.Orleans.Tests.Storage.StorageContractTests;

namespace Listo.Orleans.Tests.Storage;

/// <summary>What only the storage engine promises: many grains in one flush, and what a conflict or failure in it does.</summary>
[Trait(Category.Key, Category.Postgres)]
public sealed class StorageEngineTests
{
    [Fact]
    public async Task AConflictInsideASharedFlush_FailsOnlyThatGrain_AndItsOutboxRows_WhileTheOthersCommit()
    {
        await using var host = await StorageHost.StartAsync(await PostgresServer.CreateMigratedDatabaseAsync("engine"), StorageProviders.Engine);
        var (a, b, c) = (NewGrain(), NewGrain(), NewGrain());
        var stateA = new GrainState<WorkerState>(State("a1", 1));
        await host.Storage.WriteStateAsync(StateNames.Worker, a, stateA);
        var staleA = new GrainState<WorkerState>(State("a-stale", 3, new Outbox(Change(a, "a-stale"), null, Receipt("a-stale")))) { ETag = stateA.ETag };
        stateA.State = State("a2", 2);
        await host.Storage.WriteStateAsync(StateNames.Worker, a, stateA);

        // A flush is held in flight; the next one fills with A's stale write, B's and C's first writes and a journal row.
        var gate = new FlushGate(host.Engine);
        var blocker = host.Engine.RecordAsync(Receipt("blocker"));
        await gate.Holding;
        var writes = new[]
        {
            host.Storage.WriteStateAsync(StateNames.Worker, a, staleA),
            host.Storage.WriteStateAsync(StateNames.Worker, b, new GrainState<WorkerState>(State("b1", 1, new Outbox(Change(b, "b1"), null, Receipt("b1"))))),
            host.Storage.WriteStateAsync(StateNames.Worker, c, new GrainState<WorkerState>(State("c1", 1, new Outbox(Change(c, "c1"), null, null)))),
            host.Engine.RecordAsync(Receipt("alone")),
        };
        gate.Release();
        await blocker;

        await Assert.ThrowsAsync<InconsistentStateException>(() => writes[0]);
        await Task.WhenAll(writes.Skip(1));
        Assert.Equal([1, 4], gate.Flushes.Select(f => f.Writes));
        Assert.Equal(0L, await ScalarAsync<long>(host, "SELECT count(*) FROM listo_changes WHERE event_id = 'a-stale'"));
        Assert.Equal(0L, await ScalarAsync<long>(host, "SELECT count(*) FROM listo_deliveries WHERE id = 'a-stale'"));
        Assert.Equal(2L, await ScalarAsync<long>(host, "SELECT count(*) FROM listo_changes WHERE event_id IN ('b1', 'c1')"));
        Assert.Equal(2L, await ScalarAsync<long>(host, "SELECT count(*) FROM listo_deliveries WHERE id IN ('b1', 'alone')"));
        var read = new GrainState<WorkerState>(new WorkerState());
        await host.Storage.ReadStateAsync(StateNames.Worker, a, read);
        Assert.Equal("a2", read.State!.Snapshot!.Stamp.EventId);
    }

    [Fact]
    public async Task AFailedFlush_FailsEveryCallerInIt_AndTheirRetriesConverge()
    {
        await using var host = await StorageHost.StartAsync(await PostgresServer.CreateMigratedDatabaseAsync("engine"), StorageProviders.Engine);
        var grains = Enumerable.Range(0, 5).Select(_ => NewGrain()).ToList();
        var states = grains.Select((_, i) => new GrainState<WorkerState>(State($"g{i}", 1))).ToList();
        var poison = grains[2];
        await ExecuteAsync(host, $"ALTER TABLE listo_grain_state ADD CONSTRAINT engine_outage CHECK (grain_key <> '{poison.Key}') NOT VALID");

        // Held so that all five land in one flush, which the poisoned row then fails as a whole.
        var gate = new FlushGate(host.Engine);
        var blocker = host.Engine.RecordAsync(Receipt("blocker"));
        await gate.Holding;
        var writes = grains.Select((g, i) => host.Storage.WriteStateAsync(StateNames.Worker, g, states[i])).ToList();
        gate.Release();
        await blocker;

        foreach (var write in writes)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => write);
        }

        Assert.Equal(0L, await ScalarAsync<long>(host, "SELECT count(*) FROM listo_grain_state"));
        await ExecuteAsync(host, "ALTER TABLE listo_grain_state DROP CONSTRAINT engine_outage");
        await Task.WhenAll(grains.Select((g, i) => host.Storage.WriteStateAsync(StateNames.Worker, g, states[i])));
        Assert.Equal(5L, await ScalarAsync<long>(host, "SELECT count(*) FROM listo_grain_state"));
    }
}
