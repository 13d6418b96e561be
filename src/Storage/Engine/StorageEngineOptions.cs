namespace Listo.Orleans.Storage;

/// <summary>Bounds of one flush of the storage engine (section <c>Storage</c>).</summary>
public sealed class StorageEngineOptions
{
    public const string Section = "Storage";

    /// <summary>Which grain storage holds grain state in durable mode: <c>engine</c> (default) or <c>adonet</c>.</summary>
    public string Provider { get; set; } = StorageProviders.Engine;

    /// <summary>Most rows (state writes, feed rows, journal rows) one flush commits.</summary>
    public int MaxFlushRows { get; set; } = 1024;

    /// <summary>Most payload bytes (state and journal bodies) one flush commits; a larger single row still goes alone.</summary>
    public int MaxFlushBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Most state reads one read statement carries.</summary>
    public int MaxReadBatch { get; set; } = 256;
}
