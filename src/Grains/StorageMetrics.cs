using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Listo.Orleans.Grains;

/// <summary>Grain state write latency, on the project's meter (<see cref="MeterName"/>).</summary>
public static class StorageMetrics
{
    /// <summary>The meter of the project's own instruments, in every assembly that records on it.</summary>
    public const string MeterName = "Listo.Orleans";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> WriteDuration = Meter.CreateHistogram(
        "listo.storage.write.duration",
        "s",
        "Grain state writes, by state (worker, person, client) and result (ok, error).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });

    internal static void RecordWrite<T>(long startedAt, bool ok) => WriteDuration.Record(
        Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
        new KeyValuePair<string, object?>("state", StateLabel<T>.Value),
        new KeyValuePair<string, object?>("result", ok ? "ok" : "error"));

    private static class StateLabel<T>
    {
        public static readonly string Value = typeof(T).Name.Replace("State", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
    }
}
