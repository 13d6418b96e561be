
namespace Listo.Orleans.Hosting;

/// <summary>
/// How a silo keeps its memory bounded (<c>Memory</c> section). Activations are a cache: idle worker and person
/// activations are collected soon, the rest of the working set is shed oldest-idle-first when the heap nears its
/// limit, and deliveries are answered 503 with Retry-After while it is nearer still. Percentages are of the memory
/// the GC may use: the heap hard limit (in a container, 75% of its memory limit) or the machine's memory.
/// </summary>
public sealed class MemoryOptions
{
    public const string Section = "Memory";

    /// <summary>Idle time after which a worker or person activation is collected.</summary>
    public int EntityCollectionAgeSeconds { get; set; } = 60;

    /// <summary>Idle time after which a client activation is collected (clients are few and read by many workers' traffic).</summary>
    public int ClientCollectionAgeSeconds { get; set; } = 900;

    /// <summary>How often the silo looks for idle activations; an activation lives up to its age plus this.</summary>
    public int CollectionQuantumSeconds { get; set; } = 15;

    /// <summary>
    /// Most grains whose location this silo's directory cache remembers. Orleans' default (1,000,000) keeps an entry,
    /// about 230 bytes, for every grain the silo ever reached, long after its activation went: at a million grains that
    /// was a quarter of the heap. The cache only saves a lookup for grains in use, and those are the activations.
    /// </summary>
    public int DirectoryCacheSize { get; set; } = 100_000;

    /// <summary>Heap use at which Orleans sheds idle activations, oldest first ...</summary>
    public int SheddingPercent { get; set; } = 60;

    /// <summary>... until heap use is back at this.</summary>
    public int SheddingTargetPercent { get; set; } = 40;

    /// <summary>Heap use at which deliveries are answered 503 with Retry-After instead of taken.</summary>
    public int RejectPercent { get; set; } = 85;

    /// <summary>The Retry-After of a delivery refused under memory pressure.</summary>
    public int RetryAfterSeconds { get; set; } = 2;
}
