using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Storage;

/// <summary>
/// Purges deliveries older than <c>Journal:RetentionDays</c>, at start and every <c>Journal:PurgeIntervalMinutes</c>;
/// each round is counted by result in <c>listo.journal.purges</c> (an alert watches for rounds that keep failing).
/// </summary>
internal sealed partial class JournalRetention(
    IDeliveryJournal journal,
    StorageMode mode,
    IOptions<JournalOptions> options,
    ILogger<JournalRetention> logger,
    IMeterFactory meters,
    TimeProvider? time = null) : BackgroundService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Counter<long> _purges = Purges(meters);

    private static Counter<long> Purges(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var purges = meters.Create(Grains.ListoMeter.Name).CreateCounter<long>(
            "listo.journal.purges", "{round}", "Journal retention rounds, by result (ok, error); a round that fails is tried again at the next interval.");
        purges.Add(0, new KeyValuePair<string, object?>("result", "ok"));
        purges.Add(0, new KeyValuePair<string, object?>("result", "error"));
        return purges;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!mode.JournalEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(settings.PurgeIntervalMinutes), _time);
        do
        {
            var before = _time.GetUtcNow().AddDays(-settings.RetentionDays);
            try
            {
                var purged = await journal.PurgeAsync(before, stoppingToken);
                _purges.Add(1, new KeyValuePair<string, object?>("result", "ok"));
                LogPurged(purged, before);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // storage may be down for a while: the next round purges what this one could not
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _purges.Add(1, new KeyValuePair<string, object?>("result", "error"));
                LogPurgeFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Journal retention: purged {Count} deliveries received before {Before:O}")]
    private partial void LogPurged(long count, DateTimeOffset before);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Journal retention: the purge failed; it runs again at the next interval")]
    private partial void LogPurgeFailed(Exception exception);
}
