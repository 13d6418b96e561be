namespace Listo.Orleans.Grains;

internal static class StateWrites
{
    /// <summary>
    /// Makes <paramref name="next"/> the state and writes it. On failure the previous state is put back and
    /// <paramref name="onFailure"/> runs (grains deactivate, so the next call re-reads what storage really holds,
    /// whether or not the failed write landed); the exception reaches the caller, who answers 5xx.
    /// </summary>
    public static async Task ReplaceAsync<T>(this IPersistentState<T> state, T next, Action onFailure)
    {
        var previous = state.State;
        state.State = next;
        var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await state.WriteStateAsync();
            StorageMetrics.RecordWrite<T>(startedAt, ok: true);
        }
        catch
        {
            StorageMetrics.RecordWrite<T>(startedAt, ok: false);
            state.State = previous;
            onFailure();
            throw;
        }
    }

    /// <summary>
    /// As <see cref="ReplaceAsync{T}(IPersistentState{T}, T, Action)"/> for a state whose content
    /// <paramref name="changes"/> fingerprints: on failure the fingerprint is forgotten too, and the grain deactivates.
    /// </summary>
    public static Task ReplaceAsync<T>(this IPersistentState<T> state, T next, ChangeTracker changes, Action deactivate)
        => state.ReplaceAsync(next, () =>
        {
            changes.Forget();
            deactivate();
        });

    /// <summary>Keeps the newer of the held and the offered value in a derived cache.</summary>
    public static bool SetIfNewer<T>(this Dictionary<string, T> cache, string key, T offered, Func<T, EventStamp> stamp)
    {
        if (cache.TryGetValue(key, out var held) && !stamp(offered).IsNewerThan(stamp(held)))
        {
            return false;
        }

        cache[key] = offered;
        return true;
    }
}
