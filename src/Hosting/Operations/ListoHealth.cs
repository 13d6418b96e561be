using Listo.Orleans.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Listo.Orleans.Hosting.Operations;

/// <summary>
/// Ready means: shutdown has not begun, this silo is Active in the cluster, and storage answered in time.
/// </summary>
internal sealed class ReadinessCheck(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IStorageProbe storage,
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

/// <summary><c>/health/live</c> and <c>/health/ready</c>, the same in both roles.</summary>
public static class ListoHealth
{
    /// <summary>The liveness path: the process answers.</summary>
    public const string LivePath = "/health/live";

    /// <summary>The readiness path: silo Active, storage reachable, not shutting down.</summary>
    public const string ReadyPath = "/health/ready";

    private const string ReadyTag = "ready";

    /// <summary>Registers the readiness check.</summary>
    public static IServiceCollection AddListoHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ReadinessCheck>("silo-and-storage", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Maps both health endpoints and returns them, so a host can place them on its listeners.</summary>
    public static IEndpointConventionBuilder[] MapListoHealth(this IEndpointRouteBuilder app) =>
    [
        // Live: the process answers. Nothing else is checked, so a storage outage never restarts pods.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }),
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) }),
    ];
}
