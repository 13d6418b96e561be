using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

// Persisted state. JSON names are explicit and stable: rows written by one version are read by the next.
// Only what cannot be derived is stored (ARCHITECTURE.md, invariant 5).

/// <summary>A worker engagement: its newest snapshot and the ids it applied recently.</summary>
[GenerateSerializer, Alias("listo.worker-state")]
public sealed class WorkerState
{
    [Id(0), JsonPropertyName("snapshot")]
    public WorkerSnapshot? Snapshot { get; set; }

    [Id(1), JsonPropertyName("recentEventIds")]
    public List<string> RecentEventIds { get; set; } = [];

    /// <summary>
    /// The newest changes, newest first, bounded by <see cref="ChangeOptions.HistoryPerEntity"/>. Written with
    /// the snapshot that caused them, so a change exists exactly when its snapshot is durable; the feed is
    /// caught up from here after a crash.
    /// </summary>
    [Id(2), JsonPropertyName("changes")]
    public List<EntityChange> Changes { get; set; } = [];
}

/// <summary>A person: which worker holds each of its engagements (client id → worker id).</summary>
[GenerateSerializer, Alias("listo.person-state")]
public sealed class PersonState
{
    [Id(0), JsonPropertyName("engagements")]
    public Dictionary<string, string> Engagements { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A client: its newest snapshot, the ids it applied recently, and the ids of its workers.</summary>
[GenerateSerializer, Alias("listo.client-state")]
public sealed class ClientState
{
    [Id(0), JsonPropertyName("snapshot")]
    public ClientSnapshot? Snapshot { get; set; }

    [Id(1), JsonPropertyName("recentEventIds")]
    public List<string> RecentEventIds { get; set; } = [];

    [Id(2), JsonPropertyName("workerIds")]
    public HashSet<string> WorkerIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The newest changes of the client's snapshot, newest first; written with the snapshot, as for a worker.</summary>
    [Id(3), JsonPropertyName("changes")]
    public List<EntityChange> Changes { get; set; } = [];
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
