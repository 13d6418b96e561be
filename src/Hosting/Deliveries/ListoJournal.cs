using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace Listo.Orleans.Hosting.Deliveries;

/// <summary>Registers the delivery journal: PostgreSQL in durable mode, memory in the embedded mode.</summary>
public static class ListoJournal
{
    public static IServiceCollection AddListoJournal(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<JournalOptions>().BindConfiguration(JournalOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JournalOptions>, JournalOptionsValidator>();
        if (ListoSilo.IsEmbedded(configuration))
        {
            // The one the silo's grains record into (ListoSilo.AddListoStorage).
            services.AddSingleton<IDeliveryJournal>(sp => sp.GetRequiredService<InMemoryDeliveryJournal>());
        }
        else
        {
            // The service id the co-hosted silo runs with, as for the change feed.
            services.AddSingleton<IDeliveryJournal>(sp => CreatePostgres(configuration, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        }

        services.AddHostedService<JournalRetention>();
        return services;
    }

    /// <summary>
    /// The durable journal of the configured deployment: its connection string, and <paramref name="serviceId"/>
    /// (default: <c>Orleans:ServiceId</c>, what a silo of this configuration runs with).
    /// </summary>
    public static PostgresDeliveryJournal CreatePostgres(IConfiguration configuration, string? serviceId = null)
        => new(NpgsqlDataSource.Create(ListoSilo.DurableConnectionString(configuration)), serviceId ?? ListoOrleansOptions.Read(configuration).ServiceId);
}

internal sealed class JournalOptionsValidator : IValidateOptions<JournalOptions>
{
    public ValidateOptionsResult Validate(string? name, JournalOptions options)
        => options.RetentionDays < 1 ? ValidateOptionsResult.Fail("Journal:RetentionDays must be at least 1.")
        : options.PurgeIntervalMinutes < 1 ? ValidateOptionsResult.Fail("Journal:PurgeIntervalMinutes must be at least 1.")
        : options.InMemoryLimit < 10 ? ValidateOptionsResult.Fail("Journal:InMemoryLimit must be at least 10.")
        : ValidateOptionsResult.Success;
}

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
