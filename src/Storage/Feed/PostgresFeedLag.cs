using System.Diagnostics.Metrics;
using Listo.Orleans.Grains;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>
/// The change feed's lag as <c>listo.feed.lag</c>: the age of the oldest committed feed row that readers of
/// <c>/v1/changes</c> cannot see yet. The feed shows a transaction's rows only once no older transaction is still
/// running on the server (so a cursor is never passed by a late commit); a session left idle in a transaction holds
/// every newer row back, and this gauge is how long. Measured every few seconds off the request path.
/// </summary>
public sealed partial class PostgresFeedLag(NpgsqlDataSource dataSource, string serviceId, IMeterFactory meters, ILogger<PostgresFeedLag> logger)
    : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private const string Sql = """
        SELECT coalesce(extract(epoch FROM now() - min(recorded_at)), 0)::float8
          FROM listo_changes
         WHERE service_id = $1 AND tx >= pg_snapshot_xmin(pg_current_snapshot())
        """;

    private double _lagSeconds;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(meters);
        meters.Create(ListoMeter.Name).CreateObservableGauge("listo.feed.lag", () => Volatile.Read(ref _lagSeconds), "s",
            "Age of the oldest committed change-feed row that /v1/changes cannot show yet (held back by an older open transaction).");
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                await using var command = dataSource.CreateCommand(Sql);
                command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
                Volatile.Write(ref _lagSeconds, Convert.ToDouble(await command.ExecuteScalarAsync(stoppingToken), System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // PostgreSQL unreachable: readiness and the flush metrics say so; the gauge keeps its last value.
                LogProbeFailed(ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Debug, Message = "Feed lag probe failed: {Reason}")]
    private partial void LogProbeFailed(string reason);
}
