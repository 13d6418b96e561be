
namespace Listo.Orleans.Gateway.Configuration;

/// <summary>
/// Who may open the Orleans dashboard (<c>Dashboard:Users</c>, e.g. <c>Dashboard__Users__0__Name=sre</c> and
/// <c>Dashboard__Users__0__Secret=…</c> from a Kubernetes Secret). The dashboard shows grain state, which is personal
/// data: with no user configured it is off outside Development (Development generates one and prints it).
/// </summary>
public sealed class DashboardLoginOptions
{
    public const string Section = "Dashboard";

    public List<DashboardUser> Users { get; set; } = [];
}
