using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

// Persisted state. JSON names are explicit and stable: rows written by one version are read by the next (fields
// an older version wrote and this one no longer has, such as "changes", are skipped on read).
// Only what cannot be derived is stored (ARCHITECTURE.md, invariant 5): a history is the feed's rows.

/// <summary>Carries the outbox of a state's next write; never serialized (no [Id], no JSON name).</summary>
public abstract class OutboxState : IHasOutbox
{
    private Outbox? _outbox;

    /// <summary>Rows to commit with this state's write.</summary>
    [JsonIgnore]
    public Outbox? Outbox
    {
        get => _outbox;
        init => _outbox = value is { IsEmpty: false } ? value : null;
    }

    public Outbox? TakeOutbox() => Interlocked.Exchange(ref _outbox, null);
}

/// <summary>A worker engagement: its newest snapshot and the ids it applied recently.</summary>
[GenerateSerializer, Alias("listo.worker-state")]
public sealed class WorkerState : OutboxState
{
    [Id(0), JsonPropertyName("snapshot")]
    public WorkerSnapshot? Snapshot { get; set; }

    [Id(1), JsonPropertyName("recentEventIds")]
    public List<string> RecentEventIds { get; set; } = [];
}

/// <summary>A person: which worker holds each of its engagements (client id → worker id).</summary>
[GenerateSerializer, Alias("listo.person-state")]
public sealed class PersonState : OutboxState
{
    [Id(0), JsonPropertyName("engagements")]
    public Dictionary<string, string> Engagements { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A client: its newest snapshot and the ids it applied recently (its workers are derived from their rows).</summary>
[GenerateSerializer, Alias("listo.client-state")]
public sealed class ClientState : OutboxState
{
    [Id(0), JsonPropertyName("snapshot")]
    public ClientSnapshot? Snapshot { get; set; }

    [Id(1), JsonPropertyName("recentEventIds")]
    public List<string> RecentEventIds { get; set; } = [];
}

/// <summary>Names under which grain state is stored: one state name per grain type, one provider.</summary>
public static class StateNames
{
    /// <summary>The grain storage provider every Listo grain uses.</summary>
    public const string Storage = "listo";

    public const string Worker = "worker";
    public const string Person = "person";
    public const string Client = "client";
}
