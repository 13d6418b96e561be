namespace Listo.Orleans.Grains;

/// <summary>
/// One authentic delivery as the journal holds it. <see cref="Body"/> is the raw body as received (empty in
/// listings). The gateway hands it to the grain that owns the delivery, which journals it with the outcome in
/// the same write as the state it changes.
/// </summary>
[GenerateSerializer, Immutable, Alias("listo.journal-entry")]
public sealed record JournalEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string Type,
    [property: Id(2)] string? OccurredAt,
    [property: Id(3)] DateTimeOffset ReceivedAt,
    [property: Id(4)] string Outcome,
    [property: Id(5)] string? Detail,
    [property: Id(6)] ReadOnlyMemory<byte> Body)
{
    /// <summary>How many times Listo delivered it (retries included).</summary>
    [Id(7)]
    public int Attempts { get; init; } = 1;

    /// <summary>When it was last received.</summary>
    [Id(8)]
    public DateTimeOffset LastReceivedAt { get; init; } = ReceivedAt;

    /// <summary>This delivery after <paramref name="next"/>, a later receipt of the same id, was recorded too.</summary>
    public JournalEntry Then(JournalEntry next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var supersedes = JournalOutcomes.Supersedes(next.Outcome, Outcome);
        return this with
        {
            Attempts = Attempts + next.Attempts,
            LastReceivedAt = next.LastReceivedAt > LastReceivedAt ? next.LastReceivedAt : LastReceivedAt,
            Outcome = supersedes ? next.Outcome : Outcome,
            Detail = supersedes ? next.Detail : Detail,
        };
    }

    /// <summary>This receipt with the outcome the grain decided.</summary>
    public JournalEntry WithOutcome(DeliveryOutcome outcome) => this with { Outcome = outcome.ToWireName() };
}
