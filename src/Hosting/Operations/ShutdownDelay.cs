using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Listo.Orleans.Hosting.Operations;

/// <summary>
/// The first step of a graceful stop. Readiness is already 503 (shutdown has begun), but the listeners keep
/// serving for <see cref="Delay"/> while Kubernetes takes the pod out of its Services' endpoints, so no delivery
/// routed in that window meets a refused connection. Only then does the web host stop (draining in-flight
/// requests) and, after it, the silo leave the cluster.
/// </summary>
internal sealed partial class ShutdownDelay(TimeSpan delay, ILogger<ShutdownDelay> logger) : IHostedLifecycleService
{
    public TimeSpan Delay { get; } = delay;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (Delay <= TimeSpan.Zero)
        {
            return;
        }

        LogDelaying(logger, Delay.TotalSeconds);
        try
        {
            await Task.Delay(Delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // the shutdown timeout ran out: go on stopping
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Stopping: readiness is 503; serving {Seconds} s more before draining in-flight requests")]
    private static partial void LogDelaying(ILogger logger, double seconds);
}
