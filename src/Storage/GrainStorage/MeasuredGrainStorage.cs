using System.Diagnostics;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>A grain storage that carries outboxes, with each write's latency and result recorded in <see cref="StorageMetrics"/>.</summary>
public sealed class MeasuredGrainStorage(IOutboxGrainStorage inner, StorageMetrics metrics) : IOutboxGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
        }
        catch
        {
            metrics.RecordWrite(stateName, startedAt, ok: false);
            throw;
        }

        metrics.RecordWrite(stateName, startedAt, ok: true);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => inner.ClearStateAsync(stateName, grainId, grainState);
}
