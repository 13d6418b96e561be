
namespace Listo.Orleans.Gateway.Configuration;

/// <summary>One dashboard login: a name and its secret, sent by the browser with HTTP Basic.</summary>
public sealed class DashboardUser
{
    public string? Name { get; set; }

    public string? Secret { get; set; }
}
