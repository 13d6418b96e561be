using Listo.Orleans.Grains;

namespace Listo.Orleans.Deliveries;

/// <summary>
/// The one path of an authentic delivery, taken by the gateway on receipt and by <c>replay</c> alike: parse the
/// envelope, route it to the grain that owns the entity, and decide its journal outcome. The journal policy is
/// stated here once: a body that is not a usable envelope is <c>quarantined</c> with the parser's detail, a type or
/// version this version does not apply is <c>ignored</c> with the reason, and anything routed gets the grain's
/// outcome. With a <c>receipt</c> the entry is journaled durably before the result is returned: by the grain in the
/// same flush as the state it changes, or here for a delivery no grain takes. Failures to apply or to journal are
/// thrown, for the caller to answer (503) or report.
/// </summary>
public sealed class DeliveryPipeline(IGrainFactory grains, IDeliveryRecorder? journal)
{
    /// <summary>Runs the delivery <paramref name="body"/> with id <paramref name="id"/> through parse, route and outcome.</summary>
    /// <param name="receivedAt">
    /// When it was received: its journal entry (the body's one copy, as given) is recorded with the outcome. Null:
    /// nothing is journaled (replay writes its outcomes back itself).
    /// </param>
    public async Task<DeliveryResult> RunAsync(ReadOnlyMemory<byte> body, string id, DateTimeOffset? receivedAt, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var parsed = ListoEnvelope.Parse(body, id);
        var receipt = receivedAt is { } at && journal is not null ? new JournalEntry(id, parsed.Type, parsed.OccurredAt, at, "", null, body) : null;
        switch (parsed)
        {
            case ParsedDelivery.Invalid invalid:
                await RecordAsync(receipt, JournalOutcomes.Quarantined, invalid.Detail, timeout, cancellationToken);
                return new DeliveryResult(parsed, JournalOutcomes.Quarantined, invalid.Detail);
            case ParsedDelivery.Ignored ignored:
                await RecordAsync(receipt, JournalOutcomes.Ignored, ignored.Reason, timeout, cancellationToken);
                return new DeliveryResult(parsed, JournalOutcomes.Ignored, ignored.Reason);
        }

        // The grain journals the receipt with its outcome, in the same flush as the state it changes.
        var outcome = await grains.ApplyAsync(parsed, receipt).WaitAsync(timeout, cancellationToken);
        return new DeliveryResult(parsed, outcome.ToWireName(), null, outcome);
    }

    /// <summary>Journals a delivery that failed to apply, best effort: the journal shows the attempt when storage can take it.</summary>
    public Task RecordFailureAsync(ReadOnlyMemory<byte> body, string id, DateTimeOffset receivedAt, string detail)
        => journal is null ? Task.CompletedTask : journal.RecordAsync(new JournalEntry(id, "", null, receivedAt, JournalOutcomes.Failed, detail, body));

    private async Task RecordAsync(JournalEntry? receipt, string outcome, string detail, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (journal is not null && receipt is not null)
        {
            try
            {
                await journal.RecordAsync(receipt with { Outcome = outcome, Detail = detail }).WaitAsync(timeout, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new JournalUnavailableException(ex);
            }
        }
    }
}
