using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Listo.Orleans.Grains;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>
/// The group-committing storage engine. Every state write of every grain of the silo, every change-feed row and
/// every journal row waits in one queue; one flusher commits whatever is queued as ONE statement (one round trip,
/// one transaction) on a connection of its own, then completes each caller. While a flush is in flight the next
/// one fills, so N concurrent writers cost about two commits, not N. State reads are batched the same way on a
/// second connection, so activations never wait behind writes.
/// </summary>
/// <remarks>
/// A flush is bounded by <see cref="StorageEngineOptions.MaxFlushRows"/> and <see cref="StorageEngineOptions.MaxFlushBytes"/>
/// and its rows are sorted by key, so two silos flushing at once lock rows in the same order and cannot deadlock.
/// A state row whose expected version has moved fails only its own caller (<see cref="global::Orleans.Storage.InconsistentStateException"/>);
/// a flush that fails as a whole (the database is down) fails every caller in it, who answer 503 so Listo retries.
/// </remarks>
public sealed partial class StorageEngine : IAsyncDisposable
{
    private readonly string _serviceId;
    private readonly StorageEngineOptions _options;
    private readonly ILogger _logger;
    private readonly DedicatedConnection _writer;
    private readonly DedicatedConnection _reader;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<PendingRead> _reads = Channel.CreateUnbounded<PendingRead>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _flusher;
    private readonly Task _readLoop;
    private readonly Histogram<int> _flushRows;
    private readonly Histogram<int> _journalRows;
    private readonly Histogram<double> _flushDuration;
    private readonly Histogram<int> _readBatch;
    private readonly Counter<long> _conflicts;
    private readonly Histogram<double> _journalWrite;

    // What the gauges read (written by the flusher alone): the rows of the flush being committed (0: none), the
    // oldest write in it, and the writes carried over to the next flush with the oldest of them.
    private int _inFlightRows;
    private long _inFlightOldest;
    private int _carriedCount;
    private int _queued; // a single-reader channel cannot count itself
    private long _carriedOldest;

    /// <summary>Raised after a flush that wrote change-feed rows committed (long polls of the feed wake on it).</summary>
    public event Action? FeedCommitted;

    /// <summary>Called before each flush is sent (tests use it to hold or fail a flush); null in production.</summary>
    internal Func<FlushInfo, Task>? BeforeFlush { get; set; }

    public StorageEngine(NpgsqlDataSource dataSource, string serviceId, StorageEngineOptions options, IMeterFactory meters, ILogger<StorageEngine> logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _serviceId = serviceId;
        _options = options;
        _logger = logger;
        _writer = new DedicatedConnection(dataSource);
        _reader = new DedicatedConnection(dataSource);
        var meter = meters.Create(ListoMeter.Name);
        _flushRows = meter.CreateHistogram<int>(
            "listo.storage.flush.rows", "{row}", "Rows (state writes, feed rows, journal rows) per storage engine flush, i.e. per transaction.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        _journalRows = meter.CreateHistogram<int>(
            "listo.journal.batch_size", "{delivery}", "Journal rows per storage engine flush that carried any.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
        _flushDuration = meter.CreateHistogram<double>(
            "listo.storage.flush.duration", "s", "Time of one storage engine flush (one round trip, one commit), by result.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });
        _readBatch = meter.CreateHistogram<int>(
            "listo.storage.read.batch", "{grain}", "Grain states per batched activation read.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _conflicts = meter.CreateCounter<long>("listo.storage.conflicts", "{write}", "State writes refused because the stored version had moved.");
        _journalWrite = meter.CreateHistogram<double>(
            "listo.journal.write.duration", "s", "Time of each storage engine flush that carried journal rows, by result (error: the journal cannot write).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });
        meter.CreateObservableGauge("listo.storage.queue.depth", () => Volatile.Read(ref _queued) + Volatile.Read(ref _carriedCount), "{write}",
            "Writes (state, feed and journal rows) waiting for the next storage engine flush.");
        meter.CreateObservableGauge("listo.storage.flush.in_flight", () => Volatile.Read(ref _inFlightRows), "{row}",
            "Rows of the storage engine flush being committed now (0: none in flight).");
        meter.CreateObservableGauge("listo.storage.oldest_write.age", OldestWriteAge, "s",
            "Age of the oldest write queued or in flight in the storage engine: how long the slowest waiting delivery has waited for PostgreSQL.");
        _flusher = Task.Run(FlushLoopAsync);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>
    /// Writes a grain's state (<paramref name="payload"/> null: clear it) if its stored version is still
    /// <paramref name="expectedVersion"/> (null: no row yet), with the rows of <paramref name="outbox"/> in the same
    /// transaction (its worker listing in the state's own row). Returns the new version once committed; <see cref="global::Orleans.Storage.InconsistentStateException"/> on a conflict.
    /// </summary>
    public Task<int> WriteStateAsync(string stateName, string grainKey, byte[]? payload, int? expectedVersion, Outbox? outbox)
        => Enqueue(new PendingWrite(
            new StateRow(stateName, grainKey, payload, expectedVersion, WorkerListingJson.Write(outbox?.Listing)), outbox?.Change, outbox?.Content, outbox?.Receipt));

    /// <summary>Appends one change-feed row (with <paramref name="content"/>, for a person) in the next flush.</summary>
    public Task AppendAsync(EntityChange change, string? content = null)
        => Enqueue(new PendingWrite(null, change ?? throw new ArgumentNullException(nameof(change)), content, null));

    /// <summary>Records one journal row in the next flush.</summary>
    public Task RecordAsync(JournalEntry entry)
        => Enqueue(new PendingWrite(null, null, null, entry ?? throw new ArgumentNullException(nameof(entry))));

    /// <summary>A grain's stored payload and version, or null when it has no row; batched with concurrent reads.</summary>
    public Task<StoredState?> ReadStateAsync(string stateName, string grainKey)
    {
        var read = new PendingRead(stateName, grainKey);
        return _reads.Writer.TryWrite(read) ? read.Done.Task : Task.FromException<StoredState?>(new ObjectDisposedException(nameof(StorageEngine)));
    }

    private Task<int> Enqueue(PendingWrite write)
    {
        Interlocked.Increment(ref _queued);
        if (_writes.Writer.TryWrite(write))
        {
            return write.Done.Task;
        }

        Interlocked.Decrement(ref _queued);
        return Task.FromException<int>(new ObjectDisposedException(nameof(StorageEngine)));
    }

    /// <summary>Stops taking work, commits what is queued, and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        _reads.Writer.TryComplete();
        await Task.WhenAll(_flusher, _readLoop);
        await _writer.DisposeAsync();
        await _reader.DisposeAsync();
    }

    private async Task FlushLoopAsync()
    {
        var flush = new EngineFlush(_serviceId);
        var carried = new List<PendingWrite>();
        while (carried.Count > 0 || await _writes.Reader.WaitToReadAsync())
        {
            flush.Clear();
            var waiting = carried;
            carried = [];
            Volatile.Write(ref _carriedCount, 0);
            foreach (var write in waiting)
            {
                if (!flush.TryAdd(write))
                {
                    carried.Add(write);
                }
            }

            while (flush.Rows < _options.MaxFlushRows && flush.Bytes < _options.MaxFlushBytes && _writes.Reader.TryRead(out var next))
            {
                Interlocked.Decrement(ref _queued);
                // A second write of a key already in this flush waits for the next one: one statement cannot touch a
                // row twice, and its expected version depends on the first.
                if (!flush.TryAdd(next))
                {
                    carried.Add(next);
                }
            }

            Volatile.Write(ref _carriedOldest, carried.Count == 0 ? 0 : carried.Min(w => w.QueuedAt));
            Volatile.Write(ref _carriedCount, carried.Count);
            if (flush.Count > 0)
            {
                Volatile.Write(ref _inFlightOldest, flush.OldestQueuedAt);
                Volatile.Write(ref _inFlightRows, flush.Rows);
                await CommitAsync(flush);
                Volatile.Write(ref _inFlightRows, 0);
                Volatile.Write(ref _inFlightOldest, 0);
            }
        }
    }

    private async Task CommitAsync(EngineFlush flush)
    {
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            if (BeforeFlush is { } before)
            {
                await before(new FlushInfo(flush.Count));
            }

            var connection = await _writer.GetAsync();
            await using var command = flush.Build(connection);
            var written = new Dictionary<int, int>(flush.StateCount);
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    written[reader.GetInt32(0)] = reader.GetInt32(1);
                }
            }

            _flushDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("result", "ok"));
            _flushRows.Record(flush.Rows);
            if (flush.JournalCount > 0)
            {
                _journalRows.Record(flush.JournalCount);
            }

            if (flush.JournalCount > 0)
            {
                _journalWrite.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("result", "ok"));
            }

            flush.Complete(written, _conflicts);
            if (flush.FeedCount > 0)
            {
                FeedCommitted?.Invoke();
            }
        }
#pragma warning disable CA1031 // every caller of the flush gets the failure and answers 503
        catch (Exception failure)
#pragma warning restore CA1031
        {
            _flushDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("result", "error"));
            if (flush.JournalCount > 0)
            {
                _journalWrite.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("result", "error"));
            }

            LogFlushFailed(failure, flush.Count);
            await _writer.ResetAsync();
            flush.Fail(failure);
        }
    }

    private double OldestWriteAge()
    {
        var oldest = long.MaxValue;
        foreach (var queuedAt in new[] { Volatile.Read(ref _inFlightOldest), Volatile.Read(ref _carriedOldest), _writes.Reader.TryPeek(out var head) ? head.QueuedAt : 0 })
        {
            if (queuedAt != 0 && queuedAt < oldest)
            {
                oldest = queuedAt;
            }
        }

        return oldest == long.MaxValue ? 0 : Stopwatch.GetElapsedTime(oldest).TotalSeconds;
    }

    private async Task ReadLoopAsync()
    {
        var batch = new List<PendingRead>(_options.MaxReadBatch);
        while (await _reads.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.MaxReadBatch && _reads.Reader.TryRead(out var read))
            {
                batch.Add(read);
            }

            try
            {
                var connection = await _reader.GetAsync();
                await using var command = new NpgsqlCommand(EngineSql.Read, connection);
                command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
                command.AddColumn(NpgsqlTypes.NpgsqlDbType.Integer, batch, (r, i) => i);
                command.AddColumn(NpgsqlTypes.NpgsqlDbType.Text, batch, (r, _) => r.StateName);
                command.AddColumn(NpgsqlTypes.NpgsqlDbType.Text, batch, (r, _) => r.GrainKey);
                var found = new StoredState?[batch.Count];
                await using (var reader = await command.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        found[reader.GetInt32(0)] = new StoredState(reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1), reader.GetInt32(2));
                    }
                }

                _readBatch.Record(batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.SetResult(found[i]);
                }
            }
#pragma warning disable CA1031 // every reader of the batch gets the failure; the activation fails and is retried
            catch (Exception failure)
#pragma warning restore CA1031
            {
                LogReadFailed(failure, batch.Count);
                await _reader.ResetAsync();
                batch.ForEach(r => r.Done.SetException(failure));
            }
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Storage flush of {Rows} rows failed; its callers answer 503")]
    private partial void LogFlushFailed(Exception exception, int rows);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Batched read of {Count} grain states failed")]
    private partial void LogReadFailed(Exception exception, int count);
}
