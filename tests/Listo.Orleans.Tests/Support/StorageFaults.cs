using Listo.Orleans.Grains;
using System.Collections.Concurrent;

namespace Listo.Orleans.Tests.Support;

/// <summary>Arms write failures for chosen grains, to prove that a failed step surfaces and a retry converges.</summary>
public sealed class StorageFaults
{
    private readonly ConcurrentDictionary<string, int> _failWrites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _entered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _writes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _arrivals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrived = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="count"/> writes of <paramref name="stateName"/> for <paramref name="grainKey"/> fail.</summary>
    public void FailWrites(string stateName, string grainKey, int count = 1) => _failWrites[stateName + "|" + grainKey] = count;

    /// <summary>
    /// The next write of <paramref name="stateName"/> for <paramref name="grainKey"/> waits until the returned
    /// source is completed, as a slow commit would; <paramref name="entered"/> completes once it is waiting.
    /// </summary>
    public TaskCompletionSource HoldNextWrite(string stateName, string grainKey, out Task entered)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _held[stateName + "|" + grainKey] = release;
        _entered[stateName + "|" + grainKey] = waiting;
        entered = waiting.Task;
        return release;
    }

    /// <summary>
    /// Completes once <paramref name="count"/> calls of <paramref name="method"/> have reached the grain keyed
    /// <paramref name="grainKey"/> (counted by <see cref="ArrivalFilter"/>), so a test can act after they queued.
    /// </summary>
    public async Task ArrivedAsync(string grainKey, string method, int count)
    {
        var key = method + "|" + grainKey;
        while (_arrivals.GetValueOrDefault(key) < count)
        {
            var arrived = _arrived.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            if (_arrivals.GetValueOrDefault(key) >= count)
            {
                break;
            }

            await arrived.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    internal void Arrive(string grainKey, string method)
    {
        var key = method + "|" + grainKey;
        _arrivals.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (_arrived.TryRemove(key, out var arrived))
        {
            arrived.TrySetResult();
        }
    }

    /// <summary>How many writes of <paramref name="stateName"/> for <paramref name="grainKey"/> have succeeded.</summary>
    public int WritesOf(string stateName, string grainKey) => _writes.GetValueOrDefault(stateName + "|" + grainKey);

    internal async Task BeforeWriteAsync(string stateName, GrainId grainId)
    {
        var key = stateName + "|" + grainId.Key;
        if (ShouldFail(key))
        {
            throw new InvalidOperationException($"Injected storage fault writing {stateName} of {grainId}.");
        }

        if (_held.TryRemove(key, out var release))
        {
            _entered.TryRemove(key, out var entered);
            entered?.TrySetResult();
            await release.Task;
        }
    }

    internal void Written(string stateName, GrainId grainId) => _writes.AddOrUpdate(stateName + "|" + grainId.Key, 1, (_, n) => n + 1);

    private bool ShouldFail(string key)
    {
        while (_failWrites.TryGetValue(key, out var remaining) && remaining > 0)
        {
            if (_failWrites.TryUpdate(key, remaining - 1, remaining))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The real memory storage, with writes that fail on demand as a database outage would.</summary>
internal sealed class FaultInjectingStorage(IOutboxGrainStorage inner, StorageFaults faults) : IOutboxGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await faults.BeforeWriteAsync(stateName, grainId);
        await inner.WriteStateAsync(stateName, grainId, grainState);
        faults.Written(stateName, grainId);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}

/// <summary>Counts each grain call as it reaches its grain, for <see cref="StorageFaults.ArrivedAsync"/>.</summary>
internal sealed class ArrivalFilter(StorageFaults faults) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        faults.Arrive(context.TargetContext.GrainId.Key.ToString()!, context.InterfaceMethod.Name);
        return context.Invoke();
    }
}
