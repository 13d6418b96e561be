using System.Diagnostics;
using System.Diagnostics.Metrics;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>Grain state write latency on the project's meter (<see cref="ListoMeter.Name"/>), whatever the provider.</summary>
public sealed class StorageMetrics
{
    private readonly Histogram<double> _writeDuration;

    public StorageMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _writeDuration = meters.Create(ListoMeter.Name).CreateHistogram(
            "listo.storage.write.duration",
            "s",
            "Grain state writes, by state (worker, person, client) and result (ok, error).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });
    }

    public void RecordWrite(string stateName, long startedAt, bool ok) => _writeDuration.Record(
        Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
        new KeyValuePair<string, object?>("state", stateName),
        new KeyValuePair<string, object?>("result", ok ? "ok" : "error"));
}
