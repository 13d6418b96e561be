using System.Collections.Concurrent;
using Orleans.Storage;

namespace Listo.Orleans.Tests.Support;

/// <summary>Arms write failures for chosen grains, to prove that a failed step surfaces and a retry converges.</summary>
public sealed class StorageFaults
{
    private readonly ConcurrentDictionary<string, int> _failWrites = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="count"/> writes of <paramref name="stateName"/> for <paramref name="grainKey"/> fail.</summary>
    public void FailWrites(string stateName, string grainKey, int count = 1) => _failWrites[stateName + "|" + grainKey] = count;

    internal bool ShouldFail(string stateName, GrainId grainId)
    {
        var key = stateName + "|" + grainId.Key;
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
internal sealed class FaultInjectingStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => faults.ShouldFail(stateName, grainId)
            ? throw new InvalidOperationException($"Injected storage fault writing {stateName} of {grainId}.")
            : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}
