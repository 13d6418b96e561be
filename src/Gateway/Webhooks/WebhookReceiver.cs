using System.Buffers;
using System.Diagnostics;
using Listo.Orleans.Gateway.Configuration;
using Listo.Orleans.Grains;
using Listo.Orleans.Hosting.Deliveries;
using Listo.Orleans.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Webhooks;

/// <summary>The answer to an applied, duplicate, stale or ignored delivery.</summary>
public sealed record DeliveryAck(string Id, string Outcome);

/// <summary>
/// Receives one delivery: headers, size, signature over the raw bytes, envelope, then the grain that owns
/// the entity, then the journal. Answers 200 (or the 400 of a quarantined body) only once the outcome and the
/// journal entry are durable; anything authentic that cannot be kept is answered 503, so Listo retries it.
/// </summary>
internal sealed partial class WebhookReceiver(
    WebhookVerifier verifier,
    IOptions<WebhookOptions> options,
    IOptions<JournalOptions> journalOptions,
    IDeliveryRecorder journal,
    IGrainFactory grains,
    WebhookMetrics metrics,
    RejectionLogBudget logBudget,
    TimeProvider time,
    ILogger<WebhookReceiver> logger)
{
    private readonly IDeliveryRecorder? _journal = journalOptions.Value.Enabled ? journal : null;
    private const string RetryAfterSeconds = "5";
    private const int InitialBufferBytes = 16 * 1024;

    private readonly int _maxBodyBytes = options.Value.MaxBodyBytes;
    private readonly TimeSpan _applyTimeout = TimeSpan.FromSeconds(options.Value.ApplyTimeoutSeconds);

    public async Task<Results<Ok<DeliveryAck>, ProblemHttpResult>> ReceiveAsync(HttpContext http)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var receivedAt = time.GetUtcNow();
        var request = http.Request;
        var headers = request.Headers;
        if (headers[WebhookVerifier.IdHeader].Count > 1 || headers[WebhookVerifier.TimestampHeader].Count > 1)
        {
            return Reject(new VerificationResult(VerificationFailure.MalformedHeader,
                $"The {WebhookVerifier.IdHeader} and {WebhookVerifier.TimestampHeader} headers must each be sent once."), null);
        }

        string? id = headers[WebhookVerifier.IdHeader];
        string? timestamp = headers[WebhookVerifier.TimestampHeader];

        // Several webhook-signature lines are one list, as HTTP allows for a list-valued header.
        var signatures = headers[WebhookVerifier.SignatureHeader];
        var signature = signatures.Count > 1 ? string.Join(' ', signatures.ToArray()) : (string?)signatures;

        // Everything the headers alone can refuse is refused before a byte of the body is read.
        var check = verifier.CheckHeaders(id, timestamp, signature);
        if (!check.IsAuthentic)
        {
            return Reject(check, id);
        }

        if (request.ContentLength > _maxBodyBytes)
        {
            return RejectTooLarge(id!, $"Content-Length {request.ContentLength}");
        }

        byte[]? body;
        try
        {
            body = await ReadBodyAsync(request.Body, request.ContentLength, http.RequestAborted);
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested && ex is BadHttpRequestException or IOException or InvalidDataException)
        {
            // Framing the server cannot read (a chunk size that is not hex or overflows, a body cut short, too slow):
            // the status it means, and words, never the exception.
            return RejectUnreadable(id!, ex as BadHttpRequestException);
        }

        if (body is null)
        {
            return RejectTooLarge(id!, $"more than {_maxBodyBytes} bytes");
        }

        var verified = verifier.VerifySignature(id!, timestamp!, signature!, body);
        if (!verified.IsAuthentic)
        {
            return Reject(verified, id);
        }

        // The body's one copy: the journal keeps it and the snapshot's data is a slice of it.
        var parsed = ListoEnvelope.Parse(body, id!);
        return await RouteAsync(parsed, new JournalEntry(id!, parsed.Type, parsed.OccurredAt, receivedAt, "", null, body), http, startedAt);
    }

    private async Task<Results<Ok<DeliveryAck>, ProblemHttpResult>> RouteAsync(ParsedDelivery parsed, JournalEntry received, HttpContext http, long startedAt)
    {
        var (id, aborted) = (received.Id, http.RequestAborted);
        switch (parsed)
        {
            case ParsedDelivery.Invalid invalid:
                // Authentic but unusable: kept as quarantined (a later version may replay it), then refused.
                LogMalformed(id, SenderText.Safe(invalid.Detail));
                if (!await JournalAsync(received with { Outcome = JournalOutcomes.Quarantined, Detail = invalid.Detail }, aborted))
                {
                    return Unavailable(http, "journal", startedAt, JournalUnavailable);
                }

                metrics.Rejected("malformed");
                return Problems.InvalidEnvelope(invalid.Detail);
            case ParsedDelivery.Ignored ignored:
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var (type, reason) = (SenderText.Safe(ignored.Type), SenderText.Safe(ignored.Reason));
                    LogIgnored(id, type, reason);
                }

                if (!await JournalAsync(received with { Outcome = JournalOutcomes.Ignored, Detail = ignored.Reason }, aborted))
                {
                    return Unavailable(http, "journal", startedAt, JournalUnavailable);
                }

                metrics.Answered(ignored.Type, DeliveryOutcome.Ignored, startedAt);
                return Ack(id, DeliveryOutcome.Ignored);
        }

        DeliveryOutcome outcome;
        try
        {
            // The grain journals the entry with its outcome, in the same flush as the state it changes.
            outcome = await grains.ApplyAsync(parsed, _journal is null ? null : received).WaitAsync(_applyTimeout, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The sender hung up; the grain finishes or fails on its own and Listo's retry converges.
            throw;
        }
#pragma warning disable CA1031 // Any failure to make the delivery durable is answered 503 so Listo retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogApplyFailed(ex, id, parsed.Type);
            var timedOut = ex is TimeoutException;

            // Best effort and not awaited: the journal shows the failed attempt when storage can still take it.
            _ = JournalAsync(received with { Outcome = JournalOutcomes.Failed, Detail = timedOut ? "timeout" : ex.GetType().Name }, CancellationToken.None);
            return Unavailable(
                http,
                timedOut ? "timeout" : "failure",
                startedAt,
                timedOut ? $"The delivery was not durable within {_applyTimeout.TotalSeconds:0} s." : "The cluster or its storage cannot take the write now.");
        }

        LogApplied(id, parsed.Type, outcome);
        metrics.Answered(parsed.Type, outcome, startedAt);
        return Ack(id, outcome);
    }

    private const string JournalUnavailable = "The delivery journal cannot take the write now.";

    /// <summary>Journals <paramref name="entry"/> (group-committed); false when it is not durable in time.</summary>
    private async Task<bool> JournalAsync(JournalEntry entry, CancellationToken aborted)
    {
        if (_journal is null)
        {
            return true;
        }

        try
        {
            await _journal.RecordAsync(entry).WaitAsync(_applyTimeout, aborted);
            return true;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // answered 503 by the caller
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogJournalFailed(ex, entry.Id);
            return false;
        }
    }

    private ProblemHttpResult Unavailable(HttpContext http, string reason, long startedAt, string detail)
    {
        metrics.Unavailable(reason, startedAt);
        http.Response.Headers.RetryAfter = RetryAfterSeconds;
        return Problems.Unavailable(detail);
    }

    private static Ok<DeliveryAck> Ack(string id, DeliveryOutcome outcome) => TypedResults.Ok(new DeliveryAck(id, outcome.ToWireName()));

    private ProblemHttpResult Reject(VerificationResult result, string? id)
    {
        var (reason, problem) = result.Failure switch
        {
            VerificationFailure.MissingHeader or VerificationFailure.MalformedHeader => ("header", Problems.BadHeader(result.Detail!)),
            VerificationFailure.TimestampOutOfTolerance => ("timestamp", Problems.Unauthorized(result.Detail!)),
            _ => ("signature", Problems.Unauthorized(result.Detail!)),
        };
        WarnUnauthenticated(id, reason, result.Detail!);
        metrics.Rejected(reason);
        return problem;
    }

    private ProblemHttpResult RejectTooLarge(string id, string detail)
    {
        WarnUnauthenticated(id, "too_large", detail);
        metrics.Rejected("too_large");
        return Problems.TooLarge(_maxBodyBytes);
    }

    private ProblemHttpResult RejectUnreadable(string id, BadHttpRequestException? framing)
    {
        var (reason, problem) = framing?.StatusCode switch
        {
            StatusCodes.Status408RequestTimeout => ("body_timeout", Problems.BodyTimeout()),
            StatusCodes.Status413PayloadTooLarge => ("too_large", Problems.TooLarge(_maxBodyBytes)),
            _ => ("framing", Problems.BadFraming()),
        };
        WarnUnauthenticated(id, reason, "the request body could not be read");
        metrics.Rejected(reason);
        return problem;
    }

    /// <summary>
    /// A warning about a request not (yet) known to be Listo's: its values escaped and cut, and within
    /// <see cref="RejectionLogBudget"/>, so a flood cannot fill a disk.
    /// </summary>
    private void WarnUnauthenticated(string? id, string reason, string detail)
    {
        if (logger.IsEnabled(LogLevel.Warning) && logBudget.TryTake(out var suppressed))
        {
            LogRejected(SenderText.Safe(id), reason, SenderText.Safe(detail), suppressed);
        }
    }

    /// <summary>
    /// Reads the body into an array of its exact size, the one copy every later step shares; null when it is longer
    /// than the limit. A body of known length is read straight into that array; a chunked one grows in a pooled
    /// buffer, at most one byte past the limit, and is copied out once at the end.
    /// </summary>
    private async Task<byte[]?> ReadBodyAsync(Stream body, long? contentLength, CancellationToken aborted)
    {
        if (contentLength is { } known)
        {
            var exact = new byte[known];
            var read = await body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, aborted);
            return read == exact.Length ? exact : exact[..read];
        }

        var limit = _maxBodyBytes + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferBytes, limit));
        var length = 0;
        try
        {
            while (length < limit)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), aborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return length > _maxBodyBytes ? null : buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Rejected delivery {WebhookId}: {Reason}: {Detail} ({Suppressed} similar warnings left out before this one)")]
    private partial void LogRejected(string webhookId, string reason, string detail, long suppressed);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Quarantined authentic delivery {WebhookId}: {Detail}")]
    private partial void LogMalformed(string webhookId, string detail);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Ignored delivery {WebhookId} of type {EventType}: {Reason}")]
    private partial void LogIgnored(string webhookId, string eventType, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Delivery {WebhookId} ({EventType}): {Outcome}")]
    private partial void LogApplied(string webhookId, string eventType, DeliveryOutcome outcome);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Delivery {WebhookId} ({EventType}) could not be made durable; answered 503")]
    private partial void LogApplyFailed(Exception exception, string webhookId, string eventType);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Delivery {WebhookId} could not be journaled")]
    private partial void LogJournalFailed(Exception exception, string webhookId);
}
