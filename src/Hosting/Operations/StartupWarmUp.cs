using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Listo.Orleans.Hosting.Operations;

/// <summary>
/// Runs the role's <see cref="IWarmUpStep"/>s once the host has started (the silo is Active), and holds
/// <c>/health/ready</c> at 503 until they finish, so Kubernetes sends traffic only to a warm pod: a gateway
/// started cold under Listo's load queued hundreds of milliseconds in its first seconds (bench/coldstart.sh). Bounded
/// by <see cref="Limit"/>; a step that fails or runs out of time is logged and the pod turns ready anyway, because a
/// cold pod serves and a pod that never turns ready does not.
/// </summary>
public sealed partial class StartupWarmUp(IEnumerable<IWarmUpStep> steps, IHostApplicationLifetime lifetime, ILogger<StartupWarmUp> logger)
    : BackgroundService
{
    /// <summary>The longest the warm-up holds readiness back.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    private volatile bool _done;

    /// <summary>True once every step has finished, failed or run out of time.</summary>
    public bool IsDone => _done;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var clock = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        limit.CancelAfter(Limit);
        foreach (var step in steps)
        {
            try
            {
                var stepClock = Stopwatch.StartNew();
                await step.RunAsync(limit.Token);
                LogStep(logger, step.Name, stepClock.Elapsed.TotalMilliseconds);
            }
#pragma warning disable CA1031 // a warm-up failure must not keep the pod from serving
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                LogStepFailed(logger, step.Name, ex);
            }
        }

        _done = true;
        LogWarm(logger, clock.Elapsed.TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warm-up step '{Step}' took {Milliseconds:0} ms.")]
    private static partial void LogStep(ILogger logger, string step, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up step '{Step}' failed or ran out of time; serving without it.")]
    private static partial void LogStepFailed(ILogger logger, string step, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up in {Milliseconds:0} ms; ready for traffic.")]
    private static partial void LogWarm(ILogger logger, double milliseconds);
}
