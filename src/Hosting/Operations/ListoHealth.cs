using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Listo.Orleans.Hosting.Operations;

/// <summary><c>/health/live</c> and <c>/health/ready</c>, the same in both roles.</summary>
public static class ListoHealth
{
    /// <summary>The liveness path: the process answers.</summary>
    public const string LivePath = "/health/live";

    /// <summary>The readiness path: silo Active, warmed up, storage reachable, not shutting down.</summary>
    public const string ReadyPath = "/health/ready";

    private const string ReadyTag = "ready";

    /// <summary>Registers the readiness check and the warm-up it waits for (steps: <see cref="IWarmUpStep"/> services).</summary>
    public static IServiceCollection AddListoHealth(this IServiceCollection services)
    {
        services.AddSingleton<StartupWarmUp>();
        services.AddHostedService(sp => sp.GetRequiredService<StartupWarmUp>());
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
