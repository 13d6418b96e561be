using Listo.Orleans.Grains;

namespace Listo.Orleans.Deliveries;

/// <summary>
/// What an authentic body turned out to be. <see cref="Type"/> and <see cref="OccurredAt"/> are as sent (empty and
/// null when the body did not carry them), for the journal and the metrics.
/// </summary>
public abstract record ParsedDelivery(string Type, string? OccurredAt)
{
    /// <summary><c>worker.onboarded</c> or <c>worker.updated</c>, routed to the worker grain.</summary>
    public sealed record Worker(string EventType, WorkerSnapshot Snapshot) : ParsedDelivery(EventType, Snapshot.Stamp.OccurredAtText);

    /// <summary><c>client.created</c>, routed to the client grain.</summary>
    public sealed record Client(string EventType, ClientSnapshot Snapshot) : ParsedDelivery(EventType, Snapshot.Stamp.OccurredAtText);

    /// <summary>A complete envelope of a type or version this version does not apply: answered <c>ignored</c>.</summary>
    public sealed record Ignored(string EventType, string OccurredAtText, string Reason) : ParsedDelivery(EventType, OccurredAtText);

    /// <summary>Not a usable envelope: answered 400 with <paramref name="Detail"/>, journaled as quarantined.</summary>
    public sealed record Invalid(string Detail, string EventType = "", string? OccurredAtText = null) : ParsedDelivery(EventType, OccurredAtText);
}
