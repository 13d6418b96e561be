using System.Diagnostics.Metrics;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Refetch;

/// <summary>
/// Refetch instruments on the <see cref="ListoMeter.Name"/> meter (<c>/metrics</c>), and running totals for
/// <c>reconcile</c>'s summary.
/// </summary>
public sealed class ListoApiMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _retries;
    private long _retryTotal;
    private long _throttledTotal;
    private int _circuitOpen;

    public ListoApiMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(ListoMeter.Name);
        _requests = meter.CreateCounter<long>("listo.refetch.answers", description: "Refetches from Listo's REST API, by final answer (found, not-found, failed, timed-out, busy).");
        _retries = meter.CreateCounter<long>("listo.refetch.retries", description: "Attempts to Listo's REST API retried, by reason (the status code, timeout or connection).");
        meter.CreateObservableGauge("listo.refetch.circuit.open", () => Volatile.Read(ref _circuitOpen), description:
            "1 while the circuit breaker to Listo's REST API is open (most recent attempts failed): refetches and reconcile wait.");

        // Counters are shown from the start at 0, so a rule over them has a series before the first refetch.
        foreach (var answer in new[] { "found", "not-found", "failed", "timed-out", "busy" })
        {
            _requests.Add(0, new KeyValuePair<string, object?>("answer", answer));
        }
    }

    /// <summary>Retries since start.</summary>
    public long Retries => Interlocked.Read(ref _retryTotal);

    /// <summary>Retries that followed a 429 since start.</summary>
    public long Throttled => Interlocked.Read(ref _throttledTotal);

    /// <summary>The circuit breaker opened or closed (a callback of the resilience pipeline).</summary>
    public ValueTask CircuitChanged(bool open)
    {
        Volatile.Write(ref _circuitOpen, open ? 1 : 0);
        return ValueTask.CompletedTask;
    }

    public void Answered(string answer) => _requests.Add(1, new KeyValuePair<string, object?>("answer", answer));

    public void Retried(string reason)
    {
        Interlocked.Increment(ref _retryTotal);
        if (reason == "429")
        {
            Interlocked.Increment(ref _throttledTotal);
        }

        _retries.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }
}
