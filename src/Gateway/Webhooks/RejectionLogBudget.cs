using System.Threading.RateLimiting;

namespace Listo.Orleans.Gateway.Webhooks;

/// <summary>
/// How many warnings about unauthenticated requests the gateway writes: a burst of <see cref="Burst"/>, then
/// <see cref="PerSecond"/> a second. A flood of forged or malformed requests cannot fill a disk; what was left out is
/// counted and said by the next warning that is written, and every rejection is still counted in
/// <c>listo.webhook.rejections</c>.
/// </summary>
internal sealed class RejectionLogBudget : IDisposable
{
    public const int Burst = 20, PerSecond = 5;

    private readonly TokenBucketRateLimiter _limiter = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = Burst,
        TokensPerPeriod = PerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    });

    private long _suppressed;

    /// <summary>True when a warning may be written now, with how many were left out since the last one written.</summary>
    public bool TryTake(out long suppressed)
    {
        using var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            Interlocked.Increment(ref _suppressed);
            suppressed = 0;
            return false;
        }

        suppressed = Interlocked.Exchange(ref _suppressed, 0);
        return true;
    }

    public void Dispose() => _limiter.Dispose();
}
