using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting.Operations;

/// <summary>
/// Whether this process is near its memory limit, so that deliveries are refused (503, Retry-After) before the
/// heap runs out rather than the process dying with acknowledged work in flight. The measure is the heap that the
/// last collection kept (its size less fragmentation) as a share of the memory the GC may use
/// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: the heap hard limit in a container). It is sampled a few
/// times a second off the request path; a request reads one field.
/// </summary>
public sealed partial class MemoryPressure : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);
    private readonly MemoryOptions _options;
    private readonly ILogger<MemoryPressure> _logger;
    private volatile bool _high;
    private double _usage;

    public MemoryPressure(IOptions<MemoryOptions> options, IMeterFactory meters, ILogger<MemoryPressure> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _options = options.Value;
        _logger = logger;
        var meter = meters.Create(ListoOperations.MeterName);
        meter.CreateObservableGauge("listo.memory.heap.usage", () => Volatile.Read(ref _usage), "1",
            "Heap kept by the last GC as a share of the memory the GC may use (the heap hard limit in a container).");
        meter.CreateObservableGauge("listo.memory.pressure", () => _high ? 1 : 0, "1",
            "1 while deliveries are refused with 503 because the heap is near its limit (Memory:RejectPercent).");
    }

    /// <summary>True while deliveries should be refused: the heap is above <see cref="MemoryOptions.RejectPercent"/>.</summary>
    public bool IsHigh => _high;

    /// <summary>The Retry-After, in seconds, of a delivery refused for memory.</summary>
    public int RetryAfterSeconds => _options.RetryAfterSeconds;

    /// <summary>Samples now (also what the timer does); returns <see cref="IsHigh"/>.</summary>
    public bool Sample()
    {
        var (info, usage) = Measure();
        if (usage * 100 >= _options.SheddingPercent && Environment.TickCount64 - _fullCollectionAt >= FullCollectionEvery.TotalMilliseconds
            && GC.CollectionCount(2) == _gen2Seen)
        {
            // The last collection's heap still holds whatever died since the last full one (a young collection does
            // not look at gen2): past the shedding line, a full collection tells live from dead, and gives Orleans'
            // activation shedding the full collection it waits for before it sheds.
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            _fullCollectionAt = Environment.TickCount64;
            (info, usage) = Measure();
        }

        _gen2Seen = GC.CollectionCount(2);
        Volatile.Write(ref _usage, usage);
        var high = usage * 100 >= _options.RejectPercent;
        if (high != _high)
        {
            _high = high;
            if (high)
            {
                LogHigh(usage * 100, _options.RejectPercent, info.HeapSizeBytes >> 20, info.TotalAvailableMemoryBytes >> 20);
            }
            else
            {
                LogNormal(usage * 100);
            }
        }

        return high;
    }

    private static (GCMemoryInfo Info, double Usage) Measure()
    {
        var info = GC.GetGCMemoryInfo();
        var available = info.TotalAvailableMemoryBytes;
        return (info, available <= 0 ? 0 : Math.Max(0, info.HeapSizeBytes - info.FragmentedBytes) / (double)available);
    }

    private static readonly TimeSpan FullCollectionEvery = TimeSpan.FromSeconds(5);
    private long _fullCollectionAt = -10_000;
    private int _gen2Seen = -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Sample();
                CompactWhenIdle();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>
    /// Gives memory back once the silo falls idle. Without allocations no GC runs, so the heap that collected
    /// activations left behind (and the RSS it holds) would stay at its busiest. Idle means no gen0 collection for
    /// <see cref="IdleAfter"/>: under any traffic there are several a second. Then a compacting collection that also
    /// returns memory to the OS runs, again each <see cref="IdleAfter"/>: at least <see cref="IdleCompactions"/> times
    /// (activations keep being collected by age for a minute or more after the traffic stops), and after that while
    /// each still frees a tenth of the heap.
    /// </summary>
    private void CompactWhenIdle()
    {
        var now = Environment.TickCount64;
        var gen0 = GC.CollectionCount(0);
        if (gen0 != _gen0Seen)
        {
            // A collection of the GC's own (or our last compaction, which counts as one): the silo is busy again,
            // or this is the tick after we compacted.
            var busy = gen0 != _gen0AfterCompaction;
            _gen0Seen = gen0;
            _gen0SeenAt = now;
            if (busy)
            {
                _idleCompactionsLeft = IdleCompactions;
            }

            return;
        }

        if (_idleCompactionsLeft <= 0 || now - _gen0SeenAt < IdleAfter.TotalMilliseconds)
        {
            return;
        }

        var before = GC.GetTotalMemory(forceFullCollection: false);
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var after = GC.GetTotalMemory(forceFullCollection: false);
        _gen0AfterCompaction = GC.CollectionCount(0);
        _idleCompactionsLeft = after < before * 0.9 ? Math.Max(1, _idleCompactionsLeft - 1) : _idleCompactionsLeft - 1;
        LogCompacted(before >> 20, after >> 20);
    }

    private static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(30);
    private int _gen0Seen = -1;
    private int _gen0AfterCompaction = -1;
    private long _gen0SeenAt;
    private const int IdleCompactions = 4;
    private int _idleCompactionsLeft = IdleCompactions;

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Idle: compacted the heap from {BeforeMiB} MiB to {AfterMiB} MiB and returned the free memory to the OS")]
    private partial void LogCompacted(long beforeMiB, long afterMiB);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Memory pressure: the heap is at {UsagePercent:F0}% of what the GC may use (Memory:RejectPercent {RejectPercent}); deliveries are answered 503 until idle activations are shed ({HeapMiB} MiB of {AvailableMiB} MiB)")]
    private partial void LogHigh(double usagePercent, int rejectPercent, long heapMiB, long availableMiB);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Memory pressure over: the heap is at {UsagePercent:F0}%; deliveries are taken again")]
    private partial void LogNormal(double usagePercent);
}
