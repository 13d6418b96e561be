namespace Listo.Orleans.Grains;

/// <summary>Writing a grain's state so that a failed write leaves the activation consistent.</summary>
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
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
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
}
