namespace Listo.Orleans.Tests.Support;

/// <summary>
/// What a test needs, as an xunit trait (<c>[Trait(Category.Key, Category.Unit)]</c>), so a run can pick by cost:
/// <c>./test.sh --fast</c> runs <see cref="Unit"/> only, <c>./test.sh</c> all of them. Every test class carries exactly
/// one (<c>CategoryTests</c> checks).
/// </summary>
internal static class Category
{
    public const string Key = "Category";

    /// <summary>Plain code in this process: no silo, no socket, no PostgreSQL, no child process.</summary>
    public const string Unit = "unit";

    /// <summary>A real PostgreSQL server on loopback (the storage engine, the journal, the feed, the schema).</summary>
    public const string Postgres = "postgres";

    /// <summary>Orleans silos in this process: TestingHost clusters, or the real gateway (its co-hosted silo) over sockets.</summary>
    public const string Cluster = "cluster";

    /// <summary>Child processes: gateways and silos started, killed and restarted, the admin tool, published images.</summary>
    public const string Process = "process";

    /// <summary>The Kubernetes manifests rendered with kubectl's kustomize and checked against their schemas.</summary>
    public const string Manifests = "manifests";
}
