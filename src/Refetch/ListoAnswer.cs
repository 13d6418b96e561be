namespace Listo.Orleans.Refetch;

/// <summary>What Listo's REST API answered to one refetch, after the retries the resilience pipeline made.</summary>
public abstract record ListoAnswer
{
    private ListoAnswer()
    {
    }

    /// <summary>200: the entity's current state (the body as received).</summary>
    public sealed record Found(byte[] Body) : ListoAnswer;

    /// <summary>404: Listo no longer has the entity.</summary>
    public sealed record NotFound : ListoAnswer;

    /// <summary>
    /// Any other answer, or none (refused connection, open circuit): the gateway's 502. <paramref name="RetryAfter"/>:
    /// how long not to ask Listo again, when its circuit is open or it asked for a longer wait (<c>Retry-After</c>)
    /// than a refetch waits.
    /// </summary>
    public sealed record Failed(string Detail, TimeSpan? RetryAfter = null) : ListoAnswer;

    /// <summary>No answer in time, retries included: the gateway's 504.</summary>
    public sealed record TimedOut(string Detail) : ListoAnswer;

    /// <summary>This process's own rate limit has too many refetches waiting: the gateway's 429.</summary>
    public sealed record Busy(string Detail) : ListoAnswer;
}
