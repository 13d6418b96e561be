using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Listo.Orleans.Grains;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting.Deliveries;

/// <summary>
/// Group commit for the journal: concurrent requests queue their entries, and one writer loop takes everything
/// queued (up to <see cref="JournalOptions.MaxBatch"/> entries or <see cref="MaxBatchBytes"/> of bodies) into one
/// transaction. While a batch is being written the next one fills, so N concurrent deliveries cost about two
/// transactions, not N, and each request is answered as soon as the batch holding its entry is durable.
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
    private readonly int _maxBatch;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public JournalWriter(IDeliveryJournal journal, IOptions<JournalOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _journal = journal;
        _maxBatch = Math.Max(1, options.Value.MaxBatch);
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues <paramref name="entry"/>; completes when the batch that holds it is durable, or faults with its failure.</summary>
    public Task RecordAsync(JournalEntry entry)
    {
        var pending = new Pending(entry);
        return _queue.Writer.TryWrite(pending) ? pending.Done.Task : Task.FromException(new ObjectDisposedException(nameof(JournalWriter)));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var entries = new List<JournalEntry>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            entries.Clear();
            var bytes = 0L;
            while (batch.Count < _maxBatch && bytes < MaxBatchBytes && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                entries.Add(next.Entry);
                bytes += next.Entry.Body.Length;
            }

            var startedAt = Stopwatch.GetTimestamp();
            try
            {
                await _journal.RecordAsync(entries);
                WriteDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("result", "ok"));
                BatchSize.Record(batch.Count);
                batch.ForEach(p => p.Done.SetResult());
            }
#pragma warning disable CA1031 // every request of the batch gets the failure and answers 503
            catch (Exception failure)
#pragma warning restore CA1031
            {
                WriteDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("result", "error"));
                batch.ForEach(p => p.Done.SetException(failure));
            }
        }
    }

    private sealed class Pending(JournalEntry entry)
    {
        public JournalEntry Entry { get; } = entry;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
