using Listo.Orleans.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Listo.Orleans.Hosting.Operations;

/// <summary>
/// Ready means: shutdown has not begun, this silo is Active in the cluster, its warm-up is over, and storage answered in time.
/// </summary>
internal sealed class ReadinessCheck(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IStorageProbe storage,
    StartupWarmUp warmUp,
    IHostApplicationLifetime lifetime) : IHealthCheck
{
    private static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Shutting down.");
        }

        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        if (status != SiloStatus.Active)
        {
            return HealthCheckResult.Unhealthy($"Silo {silo.SiloAddress} is {status}, not Active in the cluster.");
        }

        if (!warmUp.IsDone)
        {
            return HealthCheckResult.Unhealthy("Warming up (StartupWarmUp): not taking traffic until its steps are over.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StorageTimeout);
        try
        {
            await storage.ProbeAsync(timeout.Token);
        }
#pragma warning disable CA1031 // any failure to reach storage means not ready
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy($"Storage ({storage.Description}) is not reachable: {ex.GetType().Name}.");
        }

        return HealthCheckResult.Healthy($"Silo Active; storage {storage.Description} reachable.");
    }
}
