using System.Diagnostics.CodeAnalysis;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Refetch;

/// <summary>
/// One entity the <see cref="Refresher"/> refetches: what its grain holds, how Listo's answer is read for it, and how
/// the grain takes the answer (<paramref name="refresh"/>) or Listo's 404 (<paramref name="markGone"/>). A read answer
/// is applied once.
/// </summary>
internal abstract class RefreshTarget<TSnapshot>(
    Func<Task<TSnapshot?>> held,
    Func<TSnapshot, Task<RefreshOutcome>> refresh,
    Func<EventStamp, Task<RefreshOutcome>> markGone)
    where TSnapshot : class
{
    private TSnapshot? _fetched;

    /// <summary>The entity in words, for problems.</summary>
    public abstract string Name { get; }

    /// <summary>The held snapshot's data and the path it was refetched from (if any), or null when nothing is held.</summary>
    public async Task<(JsonText Data, string? SelfPath)?> HeldAsync() => await held() is { } snapshot ? (DataOf(snapshot), SelfPathOf(snapshot)) : null;

    /// <summary>
    /// Reads Listo's answer for this entity (fetched from <paramref name="path"/>, stamped <paramref name="stamp"/>), or
    /// says what is wrong with it. A snapshot whose data carries no <c>links.self</c> keeps <paramref name="path"/>, so
    /// it can be refetched again.
    /// </summary>
    public bool TryRead(byte[] body, EventStamp stamp, string path, [NotNullWhen(false)] out string? problem)
    {
        if (!TryParse(body, stamp, out var snapshot, out problem))
        {
            return false;
        }

        _fetched = ListoResource.SelfPath(DataOf(snapshot)) is null ? WithSelfPath(snapshot, path) : snapshot;
        return true;
    }

    /// <summary>Hands the answer <see cref="TryRead"/> read to the grain.</summary>
    public Task<RefreshOutcome> ApplyAsync() => refresh(_fetched ?? throw new InvalidOperationException("No answer was read."));

    /// <summary>Tells the grain Listo no longer has the entity (404).</summary>
    public Task<RefreshOutcome> MarkGoneAsync(EventStamp stamp) => markGone(stamp);

    protected abstract JsonText DataOf(TSnapshot snapshot);

    protected abstract string? SelfPathOf(TSnapshot snapshot);

    protected abstract TSnapshot WithSelfPath(TSnapshot snapshot, string path);

    /// <summary>Listo's answer as a snapshot of this very entity, or the problem with it.</summary>
    protected abstract bool TryParse(byte[] body, EventStamp stamp, [NotNullWhen(true)] out TSnapshot? snapshot, [NotNullWhen(false)] out string? problem);
}
