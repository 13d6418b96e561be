using System.Collections.Concurrent;
using System.Globalization;
using global::Orleans.Storage;

namespace Listo.Orleans.Storage;

/// <summary>
/// Grain state of the embedded mode: the state objects themselves, in memory, with versions checked as the
/// engine checks them. Nothing is serialized: the grains treat their states as values (each write stores a new
/// object and never changes a stored one).
/// </summary>
public sealed class InMemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, GrainId Grain), (object? State, int Version)> _rows = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (_rows.TryGetValue((stateName, grainId), out var row))
        {
            if (row.State is T state)
            {
                grainState.State = state;
            }

            grainState.ETag = row.Version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = row.State is not null;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        grainState.ETag = Store((stateName, grainId), grainState.State, grainState.ETag);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (grainState.ETag is not null)
        {
            grainState.ETag = Store((stateName, grainId), null, grainState.ETag);
        }

        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private string Store((string, GrainId) key, object? state, string? etag)
    {
        while (true)
        {
            var held = _rows.TryGetValue(key, out var row) ? row.Version.ToString(CultureInfo.InvariantCulture) : null;
            if (!string.Equals(held, etag, StringComparison.Ordinal))
            {
                throw new InconsistentStateException($"Version conflict writing {key.Item1} of {key.Item2}.", held ?? "none", etag ?? "none");
            }

            var next = (state, (held is null ? 0 : row.Version) + 1);
            if (held is null ? _rows.TryAdd(key, next) : _rows.TryUpdate(key, next, row))
            {
                return next.Item2.ToString(CultureInfo.InvariantCulture);
            }
        }
    }
}
