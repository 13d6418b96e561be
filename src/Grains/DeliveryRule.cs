namespace Listo.Orleans.Grains;

/// <summary>
/// Decides what a delivery does to an entity that holds <c>current</c>: the single place where
/// "newest wins" and "same id is a duplicate" are decided, shared by every grain.
/// </summary>
public static class DeliveryRule
{
    /// <summary>How many applied event ids an entity remembers for duplicate detection.</summary>
    public const int RememberedEventIds = 16;

    /// <summary>
    /// <see cref="DeliveryOutcome.Duplicate"/> for an id the entity applied (its current one or a recent one),
    /// <see cref="DeliveryOutcome.Applied"/> when strictly newer than <paramref name="current"/>, otherwise
    /// <see cref="DeliveryOutcome.Stale"/>.
    /// </summary>
    public static DeliveryOutcome Decide(EventStamp? current, IReadOnlyCollection<string> recentEventIds, EventStamp incoming)
    {
        ArgumentNullException.ThrowIfNull(recentEventIds);
        if (current is not { } held)
        {
            return DeliveryOutcome.Applied;
        }

        if (string.Equals(held.EventId, incoming.EventId, StringComparison.Ordinal) || recentEventIds.Contains(incoming.EventId))
        {
            return DeliveryOutcome.Duplicate;
        }

        return incoming.IsNewerThan(held) ? DeliveryOutcome.Applied : DeliveryOutcome.Stale;
    }

    /// <summary>
    /// Whether a refetch stamped <paramref name="refetched"/> may change an entity that holds <paramref name="held"/>
    /// (<see cref="Held"/>): only when strictly newer. A delivery applied while the refetch was in flight wins.
    /// </summary>
    public static bool RefetchIsNewer(EventStamp? held, EventStamp refetched) => held is not { } h || refetched.IsNewerThan(h);

    /// <summary>
    /// The point a new snapshot must order after: the held snapshot's stamp, or a later refetch that found that
    /// snapshot current or the entity gone (<paramref name="refetched"/>), whichever is newer.
    /// </summary>
    public static EventStamp? Held(EventStamp? snapshot, EventStamp? refetched)
        => (snapshot, refetched) switch
        {
            ({ } s, { } r) => r.IsNewerThan(s) ? r : s,
            (null, { } r) => r,
            _ => snapshot,
        };

    /// <summary>The remembered ids after applying <paramref name="eventId"/>: newest first, bounded.</summary>
    public static List<string> Remember(IReadOnlyList<string> recentEventIds, string eventId)
    {
        ArgumentNullException.ThrowIfNull(recentEventIds);
        var next = new List<string>(Math.Min(recentEventIds.Count + 1, RememberedEventIds)) { eventId };
        for (var i = 0; i < recentEventIds.Count && next.Count < RememberedEventIds; i++)
        {
            next.Add(recentEventIds[i]);
        }

        return next;
    }
}
