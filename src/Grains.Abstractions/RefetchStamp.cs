using System.Globalization;

namespace Listo.Orleans.Grains;

/// <summary>
/// The stamp a refetch from Listo's REST API gets, since Listo's answer carries no <c>occurredAt</c>: the instant the
/// request was sent (truncated to the millisecond, as Listo writes instants), with the event id
/// <c>refetch:{that instant}</c>. Listo's state when it answers already includes every event emitted before the
/// request left, so those events order before the refetch and lose to it; an event emitted after the request left
/// orders after it and wins. The race this leaves, and clock skew, are described in docs/refetch.md.
/// </summary>
public static class RefetchStamp
{
    /// <summary>Starts the event id of every snapshot and change that came from a refetch.</summary>
    public const string EventIdPrefix = "refetch:";

    /// <summary>The stamp of a refetch whose request is sent at <paramref name="sentAt"/>.</summary>
    public static EventStamp At(DateTimeOffset sentAt)
    {
        var utc = sentAt.ToUniversalTime();
        var truncated = new DateTimeOffset(utc.UtcTicks - (utc.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var text = truncated.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return new EventStamp(EventIdPrefix + text, truncated, text);
    }

    /// <summary>Whether <paramref name="eventId"/> names a refetch rather than a Listo event.</summary>
    public static bool IsRefetch(string? eventId) => eventId is not null && eventId.StartsWith(EventIdPrefix, StringComparison.Ordinal);
}
