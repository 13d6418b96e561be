namespace Listo.Orleans.Storage;

/// <summary>Per-entity change history, bound from the <c>Changes</c> configuration section.</summary>
public sealed class ChangeOptions
{
    public const string Section = "Changes";

    /// <summary>How many recent changes <c>GET …/workers/{workerId}/changes</c> returns (read from the feed).</summary>
    public int HistoryPerEntity { get; set; } = 20;

    /// <summary>
    /// Embedded mode only: how many of the newest changes the in-memory feed keeps (at most; the oldest tenth is
    /// dropped at once when it is full). A cursor older than what is kept resumes at the oldest change kept.
    /// </summary>
    public int InMemoryLimit { get; set; } = 10_000;
}
