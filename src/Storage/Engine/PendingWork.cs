using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>
/// A grain state to write: its payload (null: clear), the version it expects to replace (null: none), and a worker's
/// line for the directory (<see cref="WorkerListingJson"/>; null keeps the row's line).
/// </summary>
internal sealed record StateRow(string StateName, string GrainKey, byte[]? Payload, int? ExpectedVersion, string? Listing = null);

/// <summary>
/// One caller's share of a flush: a state write with the feed and journal rows that go with it, or a feed row or
/// journal row alone. Its task completes with the state's new version (0 without a state) once committed.
/// </summary>
internal sealed class PendingWrite(StateRow? state, EntityChange? change, string? content, JournalEntry? receipt)
{
    public StateRow? State { get; } = state;

    public EntityChange? Change { get; } = change;

    public string? Content { get; } = content;

    public JournalEntry? Receipt { get; } = receipt;

    public int Rows => (State is null ? 0 : 1) + (Change is null ? 0 : 1) + (Receipt is null ? 0 : 1);

    public long Bytes => (State?.Payload?.Length ?? 0) + (State?.Listing?.Length ?? 0) + (Receipt?.Body.Length ?? 0) + (Content?.Length ?? 0);

    /// <summary>When it was queued (<see cref="System.Diagnostics.Stopwatch"/> ticks): the engine's oldest-write gauge.</summary>
    public long QueuedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>One grain state to read in a batched read.</summary>
internal sealed class PendingRead(string stateName, string grainKey)
{
    public string StateName { get; } = stateName;

    public string GrainKey { get; } = grainKey;

    public TaskCompletionSource<StoredState?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
