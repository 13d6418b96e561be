using Listo.Orleans.Tests.Support;
using Listo.Orleans.Storage;
using Listo.Orleans.Grains;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Tests.Journal;

/// <summary>Embedded mode's journal and change feed keep the newest N, so a long-running process stays flat.</summary>
[Trait(Category.Key, Category.Unit)]
public sealed class InMemoryBoundsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TheJournal_KeepsTheNewestN_ListsThemInOrder_AndPagesWithoutASort()
    {
        var journal = new InMemoryDeliveryJournal(Options.Create(new JournalOptions { InMemoryLimit = 100 }));
        for (var i = 0; i < 250; i++)
        {
            await journal.RecordAsync(Entry(i));
        }

        await journal.RecordAsync(Entry(240) with { Outcome = JournalOutcomes.Duplicate }); // a retry keeps its place
        Assert.Null(await journal.GetAsync(Id(149)));
        Assert.NotNull(await journal.GetAsync(Id(150)));

        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await journal.ListAsync(new JournalQuery(Limit: 30, After: after));
            seen.AddRange(page.Deliveries.Select(d => d.Id));
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(Enumerable.Range(150, 100).Select(Id), seen);
        Assert.Equal(2, (await journal.GetAsync(Id(240)))!.Attempts);
        Assert.Equal(50, await journal.PurgeAsync(Start.AddSeconds(200)));
        Assert.Equal(Id(200), (await journal.ListAsync(new JournalQuery(Limit: 1))).Deliveries.Single().Id);
    }

    [Fact]
    public async Task TheChangeFeed_KeepsTheNewestN_AndAnOldCursorResumesAtTheOldestKept()
    {
        var feed = new InMemoryChangeFeed(Options.Create(new ChangeOptions { InMemoryLimit = 100 }));
        var first = await feed.ReadAsync(new ChangeQuery(null, 10));
        for (var i = 0; i < 250; i++)
        {
            await feed.AppendAsync(Change(i), content: null);
        }

        var resumed = await feed.ReadAsync(new ChangeQuery(first.Next, 1000));
        Assert.InRange(resumed.Changes.Count, 90, 100);
        Assert.Equal("e249", resumed.Changes[^1].Change.EventId);
        Assert.Equal(Enumerable.Range(250 - resumed.Changes.Count, resumed.Changes.Count).Select(i => $"e{i}"), resumed.Changes.Select(c => c.Change.EventId));

        var next = await feed.ReadAsync(new ChangeQuery(resumed.Next, 10));
        Assert.Empty(next.Changes);
        await feed.AppendAsync(Change(250), content: null);
        Assert.Equal("e250", (await feed.ReadAsync(new ChangeQuery(resumed.Next, 10))).Changes.Single().Change.EventId);
        Assert.Equal(["e250", "e249"], (await feed.ReadEntityAsync(EntityTypes.Worker, "worker:c/w", 2)).Select(c => c.EventId));
    }

    private static string Id(int i) => $"lglsoevt_{i:D4}";

    private static JournalEntry Entry(int i) => new(Id(i), "worker.updated", null, Start.AddSeconds(i), JournalOutcomes.Applied, null, new byte[] { 1, 2, 3 });

    private static EntityChange Change(int i) => new(EntityTypes.Worker, "worker:c/w", "c", "w", "p", $"e{i}", "2026-11-01T00:00:00Z", []);
}
