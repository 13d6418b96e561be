namespace Listo.Orleans.Grains;

/// <summary>
/// Writing a grain's state, with the rows that ride along (<see cref="Outbox"/>), so that a failed write leaves the
/// activation consistent. The one place a grain hands rows to storage.
/// </summary>
internal static class StateWrites
{
    /// <summary>
    /// Makes <paramref name="next"/> the state and writes it with <paramref name="rows"/> in the same commit (the
    /// storage engine) or right after it (the others, <see cref="IOutboxGrainStorage"/>). On failure the previous
    /// state is put back and <paramref name="onFailure"/> runs (grains deactivate, so the next call re-reads what
    /// storage really holds, whether or not the failed write landed); the exception reaches the caller, who
    /// answers 5xx.
    /// </summary>
    public static async Task ReplaceAsync<T>(this IPersistentState<T> state, T next, Outbox? rows, Action onFailure)
        where T : OutboxState
    {
        var previous = state.State;
        state.State = next;
        next.Carry(rows);
        try
        {
            await state.WriteStateAsync();
            if (next.TakeOutbox() is not null)
            {
                // Checked at start (OutboxStorageCheck) too; this guards a storage swapped in after it.
                throw new InvalidOperationException($"The grain storage '{StateNames.Storage}' wrote the state but not the rows that ride with it.");
            }
        }
        catch
        {
            state.State = previous;
            onFailure();
            throw;
        }
    }

    /// <summary>
    /// As <see cref="ReplaceAsync{T}(IPersistentState{T}, T, Outbox?, Action)"/> for a state whose content
    /// <paramref name="changes"/> fingerprints: on failure the fingerprint is forgotten too, and the grain deactivates.
    /// </summary>
    public static Task ReplaceAsync<T>(this IPersistentState<T> state, T next, Outbox? rows, ChangeTracker changes, Action deactivate)
        where T : OutboxState
        => state.ReplaceAsync(next, rows, () =>
        {
            changes.Forget();
            deactivate();
        });
}
