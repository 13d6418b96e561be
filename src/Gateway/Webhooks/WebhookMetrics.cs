using System.Diagnostics;
using System.Diagnostics.Metrics;
using Listo.Orleans.Grains;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Hosting.Operations;

namespace Listo.Orleans.Gateway.Webhooks;

/// <summary>The gateway's own instruments, on the <see cref="ListoOperations.MeterName"/> meter.</summary>
internal sealed class WebhookMetrics
{
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _unavailable;
    private readonly Histogram<double> _ackDuration;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ListoOperations.MeterName);
        _deliveries = meter.CreateCounter<long>("listo.webhook.deliveries", "{delivery}", "Authentic deliveries answered 200, by event type and outcome.");
        _rejections = meter.CreateCounter<long>("listo.webhook.rejections", "{delivery}", "Deliveries refused, by reason: header, signature, timestamp, malformed, too_large, framing, body_timeout.");
        _unavailable = meter.CreateCounter<long>("listo.webhook.unavailable", "{delivery}", "Deliveries answered 503 (Listo retries), by reason: timeout, failure, journal, memory.");
        _ackDuration = meter.CreateHistogram(
            "listo.webhook.ack.duration",
            "s",
            "From request start to the answer of an authentic delivery, by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

        // Shown from the start at 0, so the 503-rate alert has a series before the first 503.
        foreach (var reason in new[] { "timeout", "failure", "journal", "memory" })
        {
            _unavailable.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void Answered(string eventType, DeliveryOutcome outcome, long startedAt)
    {
        var name = outcome.ToWireName();
        // An ignored delivery's type is whatever the sender wrote: the tag keeps only the types Listo documents.
        var type = eventType is ListoEnvelope.WorkerUpdated or ListoEnvelope.WorkerOnboarded or ListoEnvelope.ClientCreated ? eventType : "other";
        _deliveries.Add(1, new("type", type), new("outcome", name));
        _ackDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("outcome", name));
    }

    public void Rejected(string reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Unavailable(string reason, long startedAt)
    {
        _unavailable.Add(1, new KeyValuePair<string, object?>("reason", reason));
        _ackDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("outcome", "unavailable"));
    }
}
