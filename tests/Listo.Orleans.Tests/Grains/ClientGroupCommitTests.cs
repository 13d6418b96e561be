using Listo.Orleans.Grains;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Grains;

/// <summary>
/// A bulk import brings hundreds of new workers to one client at once. The client's index writes are group
/// commits: workers that arrive while a write is in flight share the next one, and none is acknowledged before
/// the write holding it is durable.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClientGroupCommitTests(ClusterFixture fixture)
{
    // How long a held write must keep every waiting caller from completing (a bound on asserting an absence).
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private const string IndexWorker = nameof(IClientGrain.IndexWorkerAsync);

    [Fact]
    public async Task WorkersArrivingDuringAWrite_ShareTheNextWrite_AndNoneCompletesBeforeItsWriteIsDurable()
    {
        var client = ListoEvents.NewId("lglsocli");
        var grain = fixture.Grains.GetClientGrain(client);
        var release = fixture.Faults.HoldNextWrite(StateNames.Client, GrainKeys.Client(client), out var entered);

        var first = grain.IndexWorkerAsync(Summary("w-first"));
        await entered;
        var again = grain.IndexWorkerAsync(Summary("w-first"));
        var rest = Enumerable.Range(0, 40).Select(i => grain.IndexWorkerAsync(Summary($"w-{i:d2}"))).ToList();
        await fixture.Faults.ArrivedAsync(GrainKeys.Client(client), IndexWorker, 42); // all queued behind the held write

        await Task.WhenAny(Task.WhenAll(rest.Append(first).Append(again)), Task.Delay(Settle));
        Assert.False(first.IsCompleted || again.IsCompleted || rest.Any(t => t.IsCompleted), "a caller completed while its write was held");

        release.SetResult();
        await Task.WhenAll(rest.Append(first).Append(again));

        Assert.Equal(2, fixture.Faults.WritesOf(StateNames.Client, GrainKeys.Client(client)));
        var view = await grain.GetWorkersAsync();
        Assert.Equal(41, view!.Workers.Count);
    }

    [Fact]
    public async Task AFailedSharedWrite_FailsEveryCallerInIt_AndTheirRetriesConverge()
    {
        var client = ListoEvents.NewId("lglsocli");
        var key = GrainKeys.Client(client);
        var grain = fixture.Grains.GetClientGrain(client);
        var release = fixture.Faults.HoldNextWrite(StateNames.Client, key, out var entered);

        var first = grain.IndexWorkerAsync(Summary("w-first"));
        await entered;
        var batch = Enumerable.Range(0, 10).Select(i => $"w-{i:d2}").ToList();
        var calls = batch.Select(id => grain.IndexWorkerAsync(Summary(id))).ToList();
        await fixture.Faults.ArrivedAsync(key, IndexWorker, 11);
        Assert.DoesNotContain(calls, c => c.IsCompleted);
        fixture.Faults.FailWrites(StateNames.Client, key);

        release.SetResult();
        await first;
        foreach (var call in calls)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => call);
        }

        // Listo retries each delivery; the retries find the index without them and add them.
        await Task.WhenAll(batch.Select(id => fixture.Grains.GetClientGrain(client).IndexWorkerAsync(Summary(id))));

        // The first worker's write was durable before the failure: indexing it again writes nothing. (The failed
        // write deactivated the grain, so its line is offered again; these test workers have no worker grain.)
        var writes = fixture.Faults.WritesOf(StateNames.Client, key);
        await fixture.Grains.GetClientGrain(client).IndexWorkerAsync(Summary("w-first"));
        Assert.Equal(writes, fixture.Faults.WritesOf(StateNames.Client, key));
        var view = await fixture.Grains.GetClientGrain(client).GetWorkersAsync();
        Assert.Equal(batch.Prepend("w-first").Order(StringComparer.Ordinal), view!.Workers.Select(w => w.WorkerId));
    }

    private static WorkerSummary Summary(string workerId) =>
        new(workerId, ListoEvents.NewId("lglsowpf"), "Alex Kim", ListoEvents.Stamp(ListoEvents.NewId("lglsoevt"), 10));
}
