namespace Listo.Orleans.Storage;

/// <summary>The journal's configuration (section <c>Journal</c>).</summary>
public sealed class JournalOptions
{
    public const string Section = "Journal";

    /// <summary>Whether authentic deliveries are journaled at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a delivery is kept, counted from its first receipt.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>How often the gateway purges what is older than the retention.</summary>
    public int PurgeIntervalMinutes { get; set; } = 60;

    /// <summary>Embedded mode only: how many of the newest deliveries (by first receipt) the in-memory journal keeps.</summary>
    public int InMemoryLimit { get; set; } = 10_000;
}
