using Listo.Orleans.Storage;
using Microsoft.Extensions.Configuration;

namespace Listo.Orleans.Hosting;

/// <summary>Cluster identity and ports, bound from the <c>Orleans</c> configuration section.</summary>
public sealed class ListoOrleansOptions
{
    public const string Section = "Orleans";

    /// <summary>The options as configured, read before the container exists because they configure the silo itself (<see cref="ListoOptions.Read{TOptions}"/>).</summary>
    public static ListoOrleansOptions Read(IConfiguration configuration)
        => ListoOptions.Read(configuration, Section, new ListoOrleansOptionsValidator());

    /// <summary>Silos with the same cluster id (and storage) form one cluster.</summary>
    public string ClusterId { get; set; } = "listo-dev";

    /// <summary>Identifies the deployment's stored state; never changes for a deployment.</summary>
    public string ServiceId { get; set; } = "listo";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port for Orleans clients.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and clients reach this silo at (a pod's IP in Kubernetes). Loopback by default,
    /// so a local cluster never listens beyond this machine.
    /// </summary>
    public string AdvertisedIPAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The silo's name in the membership table and on the dashboard (the pod name in Kubernetes); absent means
    /// Orleans' own generated name.
    /// </summary>
    public string? SiloName { get; set; }
}
