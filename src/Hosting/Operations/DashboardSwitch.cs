using Microsoft.Extensions.Configuration;

namespace Listo.Orleans.Hosting.Operations;

/// <summary>
/// Whether this cluster runs the Orleans dashboard: it does when a login is configured (<c>Dashboard:Users</c>, a name
/// or a secret), on every role that carries the setting. The gateway serves it then, and each silo feeds it; with no
/// login nothing of it runs. Feeding it is not free: a grain-call filter on every call, and a second metrics pipeline
/// that observes every Orleans instrument each second, including gauges that walk all activations and the directory
/// cache (about 4% of the gateway's CPU with 60,000 activations under load, more with more; docs/performance.md).
/// </summary>
public static class DashboardSwitch
{
    /// <summary>The configuration section of the dashboard's logins.</summary>
    public const string UsersSection = "Dashboard:Users";

    /// <summary>True when <paramref name="configuration"/> names at least one dashboard login.</summary>
    public static bool IsOn(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(UsersSection).GetChildren()
            .Any(user => !string.IsNullOrEmpty(user["Name"]) || !string.IsNullOrEmpty(user["Secret"]));
    }
}
