using System.Collections.Concurrent;
using Listo.Orleans.Storage;

namespace Listo.Orleans.Tests.Support;

/// <summary>
/// Holds a storage engine's first flush in flight until released, so a test can queue work that must share the next
/// flush; records every flush sent. An <c>onFirstFlush</c> action runs when the first flush is released (e.g. fails it).
/// </summary>
public sealed class FlushGate
{
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FlushGate(StorageEngine engine, Func<Task>? onFirstFlush = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        engine.BeforeFlush = async flush =>
        {
            Flushes.Enqueue(flush);
            if (Flushes.Count == 1)
            {
                _holding.SetResult();
                await _released.Task;
                if (onFirstFlush is not null)
                {
                    await onFirstFlush();
                }
            }
        };
    }

    /// <summary>Every flush sent, in order.</summary>
    public ConcurrentQueue<FlushInfo> Flushes { get; } = new();

    /// <summary>Completes once the first flush is held.</summary>
    public Task Holding => _holding.Task;

    public void Release() => _released.SetResult();
}
