using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>
/// Where a Listo event stands in time: the ordering rule of the whole system. Events compare by the
/// <c>occurredAt</c> instant, then by event id (ordinal) when two share an instant.
/// </summary>
/// <param name="EventId">The event's id (<c>lglsoevt_…</c>), equal to its webhook-id.</param>
/// <param name="OccurredAt">The <c>occurredAt</c> instant.</param>
/// <param name="OccurredAtText">
/// <c>occurredAt</c> exactly as Listo sent it, served back unchanged; it plays no part in ordering.
/// </param>
[GenerateSerializer, Immutable, Alias("listo.event-stamp")]
public readonly record struct EventStamp(
    [property: Id(0), JsonPropertyName("eventId")] string EventId,
    [property: Id(1), JsonPropertyName("occurredAt")] DateTimeOffset OccurredAt,
    [property: Id(2), JsonPropertyName("occurredAtText")] string OccurredAtText) : IComparable<EventStamp>
{
    /// <summary>Compares instants (UTC ticks, never strings), then event ids ordinally.</summary>
    public int CompareTo(EventStamp other)
    {
        var byInstant = OccurredAt.UtcTicks.CompareTo(other.OccurredAt.UtcTicks);
        return byInstant != 0 ? byInstant : string.CompareOrdinal(EventId, other.EventId);
    }

    /// <summary>True when this stamp orders strictly after <paramref name="other"/>.</summary>
    public bool IsNewerThan(EventStamp other) => CompareTo(other) > 0;

    public static bool operator >(EventStamp left, EventStamp right) => left.CompareTo(right) > 0;

    public static bool operator <(EventStamp left, EventStamp right) => left.CompareTo(right) < 0;

    public static bool operator >=(EventStamp left, EventStamp right) => left.CompareTo(right) >= 0;

    public static bool operator <=(EventStamp left, EventStamp right) => left.CompareTo(right) <= 0;
}
