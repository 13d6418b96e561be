using System.Diagnostics;
using System.Diagnostics.Metrics;
using Listo.Orleans.Grains;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting.Deliveries;

/// <summary>
/// Group commit for the journal (a <see cref="BatchWriter{T}"/>): concurrent requests' entries share one
/// transaction, up to <see cref="JournalOptions.MaxBatch"/> entries or <see cref="MaxBatchBytes"/> of bodies, and
/// each request is answered as soon as the batch holding its entry is durable.
/// </summary>
public sealed class JournalWriter : IAsyncDisposable
{
    /// <summary>Bodies are up to <c>Webhooks:MaxBodyBytes</c> each; a batch stops growing past this many bytes.</summary>
    public const int MaxBatchBytes = 8 * 1024 * 1024;

    private static readonly Meter Meter = new(StorageMetrics.MeterName);
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "listo.journal.batch_size", "{delivery}", "Deliveries per journal transaction (group commit).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    private static readonly Histogram<double> WriteDuration = Meter.CreateHistogram<double>(
        "listo.journal.write.duration", "s", "Time of one journal transaction, by result.");

    private readonly IDeliveryJournal _journal;
    private readonly BatchWriter<JournalEntry> _batches;

    public JournalWriter(IDeliveryJournal journal, IOptions<JournalOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _journal = journal;
        _batches = new BatchWriter<JournalEntry>(WriteAsync, options.Value.MaxBatch, e => e.Body.Length, MaxBatchBytes);
    }

    /// <summary>Queues <paramref name="entry"/>; completes when the batch that holds it is durable, or faults with its failure.</summary>
    public Task RecordAsync(JournalEntry entry) => _batches.AddAsync(entry);

    public ValueTask DisposeAsync() => _batches.DisposeAsync();

    private async Task WriteAsync(IReadOnlyList<JournalEntry> entries)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var result = "error";
        try
        {
            await _journal.RecordAsync(entries);
            result = "ok";
            BatchSize.Record(entries.Count);
        }
        finally
        {
            WriteDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("result", result));
        }
    }
}
