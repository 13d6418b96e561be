namespace Listo.Orleans.Admin;

/// <summary>
/// Which refetches of <c>reconcile</c>'s ordered walk are finished. Refetches finish out of order (a 429's
/// <c>Retry-After</c> holds one back while later ones go on), so the checkpoint names the last key before which every
/// entity is finished, with the counts and failures of exactly those: a resumed run redoes only what was in flight.
/// </summary>
internal sealed class ReconcileWatermark
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, (int Range, string Key)> _issued = [];
    private readonly Dictionary<long, (string Outcome, string? Failure)> _finished = [];
    private readonly Dictionary<string, long> _counts;
    private readonly List<string> _failures;
    private readonly List<string> _seen;
    private long _next;
    private long _committed;
    private int _range;
    private string _after;

    public ReconcileWatermark(int range, string after, IReadOnlyDictionary<string, long>? counts, IEnumerable<string>? failures)
    {
        (_range, _after) = (range, after);
        _counts = ReconcileProgress.Outcomes.ToDictionary(o => o, o => counts?.GetValueOrDefault(o) ?? 0);
        _failures = [.. failures ?? []];
        _seen = [.. _failures];
    }

    /// <summary>Numbers the next key of the walk, in walk order.</summary>
    public long Issue(int range, string key)
    {
        lock (_lock)
        {
            _issued[_next] = (range, key);
            return _next++;
        }
    }

    /// <summary>Records a finished refetch and moves the watermark past every finished one in order.</summary>
    public void Finish(long sequence, string outcome, string? failure)
    {
        lock (_lock)
        {
            _finished[sequence] = (outcome, failure);
            if (failure is not null)
            {
                _seen.Add(failure);
            }

            while (_finished.Remove(_committed, out var result))
            {
                (_range, _after) = _issued[_committed];
                _issued.Remove(_committed);
                _counts[result.Outcome]++;
                if (result.Failure is not null)
                {
                    _failures.Add(result.Failure);
                }

                _committed++;
            }
        }
    }

    /// <summary>
    /// Every failure so far, in key order: those a resumed checkpoint carried and all of this run's, including those
    /// past the watermark (a stopped walk redoes them on resume, but they happened).
    /// </summary>
    public IReadOnlyList<string> Failures()
    {
        lock (_lock)
        {
            return [.. _seen.Order(StringComparer.Ordinal)];
        }
    }

    public ReconcileCheckpoint Checkpoint(string scope)
    {
        lock (_lock)
        {
            return new ReconcileCheckpoint(scope, _range, _after, new Dictionary<string, long>(_counts), [.. _failures]);
        }
    }
}
