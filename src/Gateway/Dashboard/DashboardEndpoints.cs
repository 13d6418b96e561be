using Orleans.Dashboard;

namespace Listo.Orleans.Gateway.Dashboard;

/// <summary>The Orleans dashboard on the internal listener, behind <see cref="DashboardLogin"/>.</summary>
internal static class DashboardEndpoints
{
    /// <summary>Where the internal listener serves the Orleans dashboard.</summary>
    public const string Path = "/dashboard";

    /// <summary>
    /// Maps the dashboard when a login is configured; otherwise its paths answer 404 saying how to turn it on, so an
    /// unconfigured deployment never shows grain state to whoever reaches the internal listener.
    /// </summary>
    public static void MapDashboard(this IEndpointRouteBuilder app, bool enabled)
    {
        if (enabled)
        {
            app.MapOrleansDashboard(Path).WithMetadata(DashboardLogin.Metadata).OnListener(Listener.Internal);
            return;
        }

        app.Map(Path + "/{**rest}", () => Problems.NotFound("The dashboard is off: configure Dashboard:Users (a name and a secret) to turn it on."))
            .OnListener(Listener.Internal);
    }
}
