using System.Text;
using Listo.Orleans.Grains;
using Listo.Orleans.Storage;
using Listo.Orleans.Tests.Support;
using Npgsql;

namespace Listo.Orleans.Tests.Journal;

/// <summary>The journal in a real PostgreSQL: group commit, the outcome rule, listing and purge.</summary>
[Trait(Category.Key, Category.Postgres)]
public sealed class PostgresJournalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ConcurrentDeliveries_ShareTransactions_AndEveryOneIsDurableWhenItsTaskCompletes()
    {
        await using var harness = await EngineHarness.CreateAsync("journal", "journal-tests");
        // The first delivery's flush is held in flight; 199 more arrive meanwhile and form the next flush.
        var gate = new FlushGate(harness.Engine);
        var first = harness.Engine.RecordAsync(Entry("d000", JournalOutcomes.Applied, T0));
        await gate.Holding;
        var rest = Enumerable.Range(1, 199).Select(i => harness.Engine.RecordAsync(Entry($"d{i:000}", JournalOutcomes.Applied, T0.AddMilliseconds(i)))).ToList();
        Assert.All(rest, t => Assert.False(t.IsCompleted));
        gate.Release();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal([1, 199], gate.Flushes.Select(f => f.Writes));
        var listed = await harness.Journal.ListAsync(new JournalQuery(Limit: 1000));
        Assert.Equal(200, listed.Deliveries.Count);
    }

    [Fact]
    public async Task AFailedTransaction_FailsEveryCallerOfThatFlush_AndTheNextFlushIsWritten()
    {
        await using var harness = await EngineHarness.CreateAsync("journal", "journal-tests");
        var gate = new FlushGate(harness.Engine, async () =>
        {
            // A real storage failure: nothing listens on port 1, so the connection is refused.
            await using var connection = new NpgsqlConnection("Host=127.0.0.1;Port=1;Timeout=1");
            await connection.OpenAsync();
        });
        var first = harness.Engine.RecordAsync(Entry("f1", JournalOutcomes.Applied, T0));
        await gate.Holding;
        var second = harness.Engine.RecordAsync(Entry("f2", JournalOutcomes.Applied, T0));
        gate.Release();

        await Assert.ThrowsAsync<NpgsqlException>(() => first);
        await second;
        Assert.Null(await harness.Journal.GetAsync("f1"));
        Assert.NotNull(await harness.Journal.GetAsync("f2"));
    }

    [Fact]
    public async Task ARetry_CountsAnAttempt_AndKeepsTheFirstDurableOutcome_ExceptFailedIgnoredAndQuarantined()
    {
        await using var journal = await NewJournalAsync();
        await journal.RecordAsync([
            Entry("a", JournalOutcomes.Applied, T0), Entry("f", JournalOutcomes.Failed, T0),
            Entry("i", JournalOutcomes.Ignored, T0), Entry("q", JournalOutcomes.Quarantined, T0, detail: "incomplete")]);

        // One batch may carry the same id twice (two gateways' retries queue together): folded into one row.
        await journal.RecordAsync([
            Entry("a", JournalOutcomes.Duplicate, T0.AddSeconds(5)), Entry("a", JournalOutcomes.Duplicate, T0.AddSeconds(9)),
            Entry("f", JournalOutcomes.Applied, T0.AddSeconds(5))]);
        await journal.ReplayedAsync([("i", JournalOutcomes.Applied, null), ("q", JournalOutcomes.Quarantined, "still incomplete"), ("a", JournalOutcomes.Duplicate, null)]);

        var a = (await journal.GetAsync("a"))!;
        Assert.Equal((JournalOutcomes.Applied, 3, T0, T0.AddSeconds(9)), (a.Outcome, a.Attempts, a.ReceivedAt, a.LastReceivedAt));
        Assert.Equal(JournalOutcomes.Applied, (await journal.GetAsync("f"))!.Outcome);
        Assert.Equal(JournalOutcomes.Applied, (await journal.GetAsync("i"))!.Outcome);
        var q = (await journal.GetAsync("q"))!;
        Assert.Equal((JournalOutcomes.Quarantined, "still incomplete", 1), (q.Outcome, q.Detail, q.Attempts));
        Assert.Equal("body of q", Encoding.UTF8.GetString(q.Body.Span));
    }

    [Fact]
    public async Task Listing_FiltersAndPagesInReceivedOrder_EvenAcrossEqualTimes_AndPurgeDeletesOnlyOlderRows()
    {
        await using var journal = await NewJournalAsync();
        await journal.RecordAsync([
            Entry("m1", JournalOutcomes.Applied, T0), Entry("m2", JournalOutcomes.Applied, T0), Entry("m3", JournalOutcomes.Stale, T0),
            Entry("m4", JournalOutcomes.Applied, T0.AddHours(1)), Entry("m5", JournalOutcomes.Applied, T0.AddDays(2))]);

        var pages = new List<IReadOnlyList<string>>();
        string? after = null;
        do
        {
            var page = await journal.ListAsync(new JournalQuery(Outcome: JournalOutcomes.Applied, To: T0.AddDays(1), Limit: 2, After: after));
            pages.Add(page.Deliveries.Select(d => d.Id).ToList());
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal([["m1", "m2"], ["m4"]], pages);
        Assert.True((await journal.ListAsync(new JournalQuery())).Deliveries.All(d => d.Body.IsEmpty));

        Assert.Equal(4, await journal.PurgeAsync(T0.AddDays(1)));
        Assert.Equal(["m5"], (await journal.ListAsync(new JournalQuery())).Deliveries.Select(d => d.Id));
    }

    private static async Task<PostgresDeliveryJournal> NewJournalAsync()
        => new(NpgsqlDataSource.Create(await PostgresServer.CreateMigratedDatabaseAsync("journal")), "journal-tests");

    private static JournalEntry Entry(string id, string outcome, DateTimeOffset receivedAt, string? detail = null)
        => new(id, "worker.updated", "2026-05-03T12:00:00Z", receivedAt, outcome, detail, Encoding.UTF8.GetBytes($"body of {id}"));
}
