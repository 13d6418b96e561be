using System.Threading.Channels;

namespace Listo.Orleans.Hosting;

/// <summary>
/// Group commit across callers: items queued by concurrent requests (or grains) are written by one loop, everything
/// queued at once in one write (up to <c>maxItems</c> items or <c>maxWeight</c>, e.g. bytes). While one write is
/// in flight the next batch fills, so N concurrent callers cost about two writes, not N. Each caller's task
/// completes when the write holding its item is durable, or faults with that write's exception.
/// </summary>
public sealed class BatchWriter<T> : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<T>, Task> _write;
    private readonly int _maxItems;
    private readonly Func<T, long> _weight;
    private readonly long _maxWeight;
    private readonly Channel<(T Item, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(T, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task _loop;

    /// <param name="write">Writes one batch in one transaction; called by one loop, never concurrently.</param>
    public BatchWriter(Func<IReadOnlyList<T>, Task> write, int maxItems, Func<T, long>? weight = null, long maxWeight = long.MaxValue)
    {
        _write = write;
        _maxItems = Math.Max(1, maxItems);
        _weight = weight ?? (_ => 0);
        _maxWeight = maxWeight;
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues <paramref name="item"/>; completes when the batch that holds it is written.</summary>
    public Task AddAsync(T item)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite((item, done)) ? done.Task : Task.FromException(new ObjectDisposedException(nameof(BatchWriter<T>)));
    }

    /// <summary>Stops taking items and waits until every queued one is written.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task WriteLoopAsync()
    {
        var items = new List<T>(_maxItems);
        var waiting = new List<TaskCompletionSource>(_maxItems);
        while (await _queue.Reader.WaitToReadAsync())
        {
            items.Clear();
            waiting.Clear();
            var weight = 0L;
            while (items.Count < _maxItems && weight < _maxWeight && _queue.Reader.TryRead(out var next))
            {
                items.Add(next.Item);
                waiting.Add(next.Done);
                weight += _weight(next.Item);
            }

            try
            {
                await _write(items);
                waiting.ForEach(d => d.SetResult());
            }
#pragma warning disable CA1031 // every caller of the batch gets the failure
            catch (Exception failure)
#pragma warning restore CA1031
            {
                waiting.ForEach(d => d.SetException(failure));
            }
        }
    }
}
