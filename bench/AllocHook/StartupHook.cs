using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

/// <summary>
/// Loaded by the runtime with <c>DOTNET_STARTUP_HOOKS=…/Listo.Bench.AllocHook.dll</c>: samples GC AllocationTick events
/// (one per ~100 KB allocated) by type, small and large object heap apart, and writes the top types to the file named
/// by <c>LISTO_ALLOC_REPORT</c> every 5 s. For finding what a delivery allocates; never deployed.
/// </summary>
#pragma warning disable CA1050 // the runtime looks the hook up by this exact name, outside any namespace
internal static class StartupHook
#pragma warning restore CA1050
{
    private static AllocationSampler? _sampler;

    public static void Initialize()
    {
        var report = Environment.GetEnvironmentVariable("LISTO_ALLOC_REPORT") ?? "/tmp/alloc-report.txt";
        _sampler = new AllocationSampler(report);
    }
}

internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<(string Type, bool Large), long> _bytes = new();
    private readonly string _report;
    private readonly Timer _timer;

    public AllocationSampler(string report)
    {
        _report = report;
        _timer = new Timer(_ => Write(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick at verbose
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" && e.EventName != "GCAllocationTick_V3")
        {
            return;
        }

        var type = e.Payload![e.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
        var kind = Convert.ToInt32(e.Payload[e.PayloadNames.IndexOf("AllocationKind")], System.Globalization.CultureInfo.InvariantCulture);
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        _bytes.AddOrUpdate((type, kind == 1), amount, (_, n) => n + amount);
    }

    private void Write()
    {
        var total = _bytes.Values.Sum();
        var lines = _bytes.OrderByDescending(kv => kv.Value).Take(40)
            .Select(kv => $"{kv.Value * 100.0 / Math.Max(1, total),6:0.0}%  {(kv.Key.Large ? "LOH" : "SOH")}  {kv.Key.Type}");
        File.WriteAllText(_report, $"sampled {total / 1048576.0:0} MB\n" + string.Join("\n", lines) + "\n");
    }

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }
}
