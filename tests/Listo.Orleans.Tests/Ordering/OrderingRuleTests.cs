using Listo.Orleans.Grains;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Ordering;

[Trait(Category.Key, Category.Unit)]
public sealed class OrderingRuleTests
{
    [Theory]
    [InlineData("2026-05-03T12:10:00.231Z", "2026-05-03T14:10:00.230+02:00", 1)] // an earlier instant written with a later-looking string
    [InlineData("2026-05-03T12:10:00.231Z", "2026-05-03T12:10:00.2310000Z", 0)] // the same instant, different text
    [InlineData("2026-05-03T12:10:00.999Z", "2026-05-03T12:10:01Z", -1)]
    public void Instants_AreComparedAsInstants_NotAsStrings(string left, string right, int expectedSign)
    {
        var a = new EventStamp("lglsoevt_a", DateTimeOffset.Parse(left, System.Globalization.CultureInfo.InvariantCulture), left);
        var b = new EventStamp("lglsoevt_a", DateTimeOffset.Parse(right, System.Globalization.CultureInfo.InvariantCulture), right);
        Assert.Equal(expectedSign, Math.Sign(a.CompareTo(b)));
    }

    [Fact]
    public void EqualInstants_AreOrderedByEventIdOrdinal()
    {
        var at = ListoEvents.Base;
        var upper = new EventStamp("lglsoevt_B", at, "t");
        var lower = new EventStamp("lglsoevt_a", at, "t");
        Assert.True(lower.IsNewerThan(upper), "'a' (0x61) orders after 'B' (0x42) ordinally");
        Assert.False(upper.IsNewerThan(lower));
    }

    [Fact]
    public void Decide_DistinguishesAppliedDuplicateAndStale()
    {
        var held = ListoEvents.Stamp("e5", 50);
        string[] recent = ["e5", "e3"];
        Assert.Equal(DeliveryOutcome.Applied, DeliveryRule.Decide(null, [], held));
        Assert.Equal(DeliveryOutcome.Duplicate, DeliveryRule.Decide(held, recent, held));
        Assert.Equal(DeliveryOutcome.Duplicate, DeliveryRule.Decide(held, recent, ListoEvents.Stamp("e3", 30)));
        Assert.Equal(DeliveryOutcome.Stale, DeliveryRule.Decide(held, recent, ListoEvents.Stamp("e4", 40)));
        Assert.Equal(DeliveryOutcome.Stale, DeliveryRule.Decide(held, recent, ListoEvents.Stamp("e0", 50)));
        Assert.Equal(DeliveryOutcome.Applied, DeliveryRule.Decide(held, recent, ListoEvents.Stamp("e9", 50)));
        Assert.Equal(DeliveryOutcome.Applied, DeliveryRule.Decide(held, recent, ListoEvents.Stamp("e6", 60)));
    }

    [Fact]
    public void RefetchIsNewer_OnlyWhenStrictlyAfterWhatIsHeld()
    {
        var held = ListoEvents.Stamp("e5", 50);
        Assert.True(DeliveryRule.RefetchIsNewer(null, ListoEvents.Stamp("refetch:a", 10)));
        Assert.True(DeliveryRule.RefetchIsNewer(held, ListoEvents.Stamp("refetch:b", 60)));
        Assert.False(DeliveryRule.RefetchIsNewer(held, ListoEvents.Stamp("refetch:c", 40)));
        Assert.False(DeliveryRule.RefetchIsNewer(held, held));
    }

    [Fact]
    public void Remember_KeepsNewestIdsFirst_Bounded()
    {
        List<string> recent = [];
        for (var i = 0; i < DeliveryRule.RememberedEventIds + 5; i++)
        {
            recent = DeliveryRule.Remember(recent, "e" + i);
        }

        Assert.Equal(DeliveryRule.RememberedEventIds, recent.Count);
        Assert.Equal("e" + (DeliveryRule.RememberedEventIds + 4), recent[0]);
    }

    /// <summary>
    /// Property: for random multisets of deliveries (duplicates, equal timestamps), every arrival order ends in
    /// the same state, and that state is the maximum by (instant, id): the same as sorting them.
    /// Applied + duplicate + stale always account for every delivery, and applied never exceeds distinct events.
    /// </summary>
    [Fact]
    public void AnyPermutationOfAnyMultiset_ConvergesToTheSortedMaximum()
    {
        var random = new Random(20261123);
        for (var round = 0; round < 2_000; round++)
        {
            var distinct = random.Next(1, 12);
            var events = Enumerable.Range(0, distinct)
                .Select(i => ListoEvents.Stamp($"lglsoevt_{random.Next(0, 1000):x3}{i}", random.Next(0, 4)))
                .ToList();
            var deliveries = events.SelectMany(e => Enumerable.Repeat(e, random.Next(1, 4))).ToList();
            var expected = events.Max();

            for (var permutation = 0; permutation < 5; permutation++)
            {
                var order = deliveries.OrderBy(_ => random.Next()).ToList();
                var (final, outcomes) = Fold(order);
                Assert.True(final == expected, $"round {round}, permutation {permutation}: ended at {final.EventId}@{final.OccurredAt:O}, expected {expected.EventId}@{expected.OccurredAt:O}");
                Assert.Equal(deliveries.Count, outcomes.Values.Sum());
                Assert.InRange(outcomes[DeliveryOutcome.Applied], 1, distinct);
            }
        }
    }

    private static (EventStamp Final, Dictionary<DeliveryOutcome, int> Outcomes) Fold(IEnumerable<EventStamp> deliveries)
    {
        EventStamp? current = null;
        List<string> recent = [];
        var outcomes = new Dictionary<DeliveryOutcome, int> { [DeliveryOutcome.Applied] = 0, [DeliveryOutcome.Duplicate] = 0, [DeliveryOutcome.Stale] = 0 };
        foreach (var delivery in deliveries)
        {
            var outcome = DeliveryRule.Decide(current, recent, delivery);
            outcomes[outcome]++;
            if (outcome == DeliveryOutcome.Applied)
            {
                current = delivery;
                recent = DeliveryRule.Remember(recent, delivery.EventId);
            }
        }

        return (current!.Value, outcomes);
    }
}
