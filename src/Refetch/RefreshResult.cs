using Listo.Orleans.Grains;

namespace Listo.Orleans.Refetch;

/// <summary>How a refresh of one entity ended.</summary>
public enum RefreshStatus
{
    /// <summary>Listo answered and the answer was applied: see <see cref="RefreshResult.Outcome"/>.</summary>
    Done,

    /// <summary>The entity is not known here (no snapshot): nothing to refetch. 404.</summary>
    UnknownEntity,

    /// <summary>The held snapshot has no usable <c>links.self</c> path. 409.</summary>
    NoSelfLink,

    /// <summary><c>Listo:ApiKey</c> is not configured. 503.</summary>
    NotConfigured,

    /// <summary>Listo answered an error (after retries), could not be reached, or answered something unusable. 502.</summary>
    UpstreamFailed,

    /// <summary>Listo did not answer in time. 504.</summary>
    UpstreamTimedOut,

    /// <summary>Too many refetches wait for this process's rate limit. 429.</summary>
    Busy,
}

/// <summary>The end of one refresh: its status, the outcome when <see cref="RefreshStatus.Done"/>, and words for anything else.</summary>
/// <param name="Stamp">The refetch's stamp (<see cref="RefetchStamp.At"/>), when a request was sent.</param>
public sealed record RefreshResult(RefreshStatus Status, RefreshOutcome? Outcome, string? Detail, EventStamp? Stamp = null)
{
    /// <summary>The outcome as API.md names it (<c>applied</c>, <c>unchanged</c>, <c>gone</c>), or null when not <see cref="RefreshStatus.Done"/>.</summary>
    public string? OutcomeName => Outcome switch
    {
        RefreshOutcome.Applied => "applied",
        RefreshOutcome.Unchanged => "unchanged",
        RefreshOutcome.Gone => "gone",
        _ => null,
    };

    /// <summary>
    /// How long not to ask Listo again: its circuit is open, or it asked (<c>Retry-After</c>) for a longer wait than a
    /// refetch waits.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    public static RefreshResult Of(RefreshStatus status, string detail) => new(status, null, detail);
}
