namespace Listo.Orleans.Grains;

/// <summary>
/// Group commit inside one activation: changes that arrive while a state write is in flight are collected and
/// written together by the next write, so N concurrent callers cost two writes instead of N, and no caller waits
/// behind N-1 others. Each caller's task completes when the write holding its change is durable, or faults with
/// that write's exception (the caller answers 5xx and Listo retries).
/// </summary>
/// <remarks>
/// Runs on the activation's scheduler (single-threaded), so it needs no locks. Writes never overlap: the
/// drain loop is the only writer, and a batch is never changed once its write has started.
/// </remarks>
internal sealed class GroupCommit<TBatch>(Func<TBatch> open, Func<TBatch, Task> write)
    where TBatch : class
{
    private Pending? _open;
    private Pending? _writing;
    private bool _draining;

    /// <summary>The batch being written now, if any; its changes are not durable yet.</summary>
    public TBatch? Writing => _writing?.Batch;

    /// <summary>The batch that will be written next, if any.</summary>
    public TBatch? Open => _open?.Batch;

    /// <summary>The task of the write in flight, or of the next one; use with <see cref="Writing"/>/<see cref="Open"/>.</summary>
    public Task DurableAsync(TBatch batch) =>
        ReferenceEquals(batch, _writing?.Batch) ? _writing.Done.Task
        : ReferenceEquals(batch, _open?.Batch) ? _open.Done.Task
        : Task.CompletedTask;

    /// <summary>Adds a change to the next write and returns when that write is durable.</summary>
    public Task AddAsync(Action<TBatch> change)
    {
        _open ??= new Pending(open());
        change(_open.Batch);
        var done = _open.Done.Task;
        if (!_draining)
        {
            _ = DrainAsync();
        }

        return done;
    }

    private async Task DrainAsync()
    {
        _draining = true;
        try
        {
            while (_open is { } next)
            {
                _open = null;
                _writing = next;
                try
                {
                    await write(next.Batch);
                    next.Done.SetResult();
                }
#pragma warning disable CA1031 // the failure is handed to every caller of this batch, who answers 5xx
                catch (Exception failure)
#pragma warning restore CA1031
                {
                    next.Done.SetException(failure);
                }
                finally
                {
                    _writing = null;
                }
            }
        }
        finally
        {
            _draining = false;
        }
    }

    private sealed class Pending(TBatch batch)
    {
        public TBatch Batch { get; } = batch;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
