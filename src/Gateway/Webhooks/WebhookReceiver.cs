using System.Diagnostics;
using System.Globalization;
using Listo.Orleans.Hosting.Operations;
using Listo.Orleans.Gateway.Configuration;
using Listo.Orleans.Grains;
using Listo.Orleans.Deliveries;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Webhooks;

/// <summary>
/// Receives one delivery: the verification step, then the delivery pipeline (parse, route, outcome, journal entry),
/// then the answer. 200 (or the 400 of a quarantined body) only once the outcome and the journal entry are durable;
/// anything authentic that cannot be kept is answered 503 with Retry-After, so Listo retries it.
/// </summary>
internal sealed partial class WebhookReceiver(
    WebhookRequestReader reader,
    IOptions<WebhookOptions> options,
    DeliveryPipeline pipeline,
    WebhookMetrics metrics,
    TimeProvider time,
    MemoryPressure memory,
    ILogger<WebhookReceiver> logger)
{
    private const int RetryAfterSeconds = 5;
    private readonly TimeSpan _applyTimeout = TimeSpan.FromSeconds(options.Value.ApplyTimeoutSeconds);

    public async Task<Results<Ok<DeliveryAck>, ProblemHttpResult>> ReceiveAsync(HttpContext http)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var receivedAt = time.GetUtcNow();
        if (memory.IsHigh)
        {
            // Refused before the body is read or anything activated: the silo is shedding activations to make room,
            // and Listo's retry after Retry-After is taken.
            return Unavailable(http, "memory", startedAt, "The gateway is near its memory limit and is making room; retry after Retry-After.", memory.RetryAfterSeconds);
        }

        var (verified, problem) = await reader.ReadAsync(http.Request, http.RequestAborted);
        if (verified is not { } delivery)
        {
            return problem!;
        }

        // The body's one copy: the journal keeps it and the snapshot's data is a slice of it.
        DeliveryResult result;
        try
        {
            result = await pipeline.RunAsync(delivery.Body, delivery.Id, receivedAt, _applyTimeout, http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The sender hung up; the grain finishes or fails on its own and Listo's retry converges.
            throw;
        }
        catch (JournalUnavailableException ex)
        {
            LogJournalFailed(ex.InnerException!, delivery.Id);
            return Unavailable(http, "journal", startedAt, ex.Message);
        }
#pragma warning disable CA1031 // Any failure to make the delivery durable is answered 503 so Listo retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var timedOut = ex is TimeoutException;
            LogApplyFailed(ex, delivery.Id);

            // Best effort and not awaited: the journal shows the failed attempt when storage can still take it.
            _ = pipeline.RecordFailureAsync(delivery.Body, delivery.Id, receivedAt, timedOut ? "timeout" : ex.GetType().Name);
            return Unavailable(
                http,
                timedOut ? "timeout" : "failure",
                startedAt,
                timedOut ? $"The delivery was not durable within {_applyTimeout.TotalSeconds:0} s." : "The cluster or its storage cannot take the write now.");
        }

        return Answer(delivery.Id, result, startedAt);
    }

    private Results<Ok<DeliveryAck>, ProblemHttpResult> Answer(string id, DeliveryResult result, long startedAt)
    {
        switch (result.Parsed)
        {
            case ParsedDelivery.Invalid:
                // Authentic but unusable: kept as quarantined (a later version may replay it), then refused.
                LogQuarantined(id, SenderText.Safe(result.Detail));
                metrics.Rejected("malformed");
                return Problems.InvalidEnvelope(result.Detail!);
            case ParsedDelivery.Ignored:
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var (type, reason) = (SenderText.Safe(result.Parsed.Type), SenderText.Safe(result.Detail));
                    LogIgnored(id, type, reason);
                }

                metrics.Answered(result.Parsed.Type, DeliveryOutcome.Ignored, startedAt);
                return TypedResults.Ok(new DeliveryAck(id, result.Outcome));
        }

        LogApplied(id, result.Parsed.Type, result.Outcome);
        metrics.Answered(result.Parsed.Type, result.GrainOutcome!.Value, startedAt);
        return TypedResults.Ok(new DeliveryAck(id, result.Outcome));
    }

    private ProblemHttpResult Unavailable(HttpContext http, string reason, long startedAt, string detail, int retryAfterSeconds = RetryAfterSeconds)
    {
        metrics.Unavailable(reason, startedAt);
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Unavailable(detail);
    }

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Quarantined authentic delivery {WebhookId}: {Detail}")]
    private partial void LogQuarantined(string webhookId, string detail);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Ignored delivery {WebhookId} of type {EventType}: {Reason}")]
    private partial void LogIgnored(string webhookId, string eventType, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Delivery {WebhookId} ({EventType}): {Outcome}")]
    private partial void LogApplied(string webhookId, string eventType, string outcome);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Delivery {WebhookId} could not be made durable; answered 503")]
    private partial void LogApplyFailed(Exception exception, string webhookId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Delivery {WebhookId} could not be journaled")]
    private partial void LogJournalFailed(Exception exception, string webhookId);
}
