using Listo.Orleans.Deliveries;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting;

/// <summary>Deletes deliveries older than <c>Journal:RetentionDays</c>, at start and every <c>Journal:PurgeIntervalMinutes</c>.</summary>
internal sealed partial class JournalRetention(
    IDeliveryJournal journal,
    IOptions<JournalOptions> options,
    ILogger<JournalRetention> logger,
    TimeProvider? time = null) : BackgroundService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
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
