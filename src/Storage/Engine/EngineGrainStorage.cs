using System.Globalization;
using Listo.Orleans.Grains;
using global::Orleans.Storage;

namespace Listo.Orleans.Storage;

/// <summary>
/// Orleans grain storage on the <see cref="StorageEngine"/>: a grain's read joins the next batched read, its write
/// the next flush together with the rows of the state's <see cref="Outbox"/>. Rows are those of Orleans' ADO.NET
/// provider (same table, keys and versions), so either can read what the other wrote.
/// </summary>
public sealed class EngineGrainStorage(StorageEngine engine, IGrainStorageSerializer serializer) : IOutboxGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var stored = await engine.ReadStateAsync(stateName, GrainRows.Key(grainId));
        if (stored is null)
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        if (stored.Payload is { } payload)
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(payload));
        }

        grainState.ETag = stored.Version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = stored.Payload is not null;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var payload = WholeArray.Of(serializer.Serialize(grainState.State).ToMemory());
        var outbox = (grainState.State as IHasOutbox)?.TakeOutbox();
        var version = await engine.WriteStateAsync(stateName, GrainRows.Key(grainId), payload, Version(grainState.ETag), outbox);
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (grainState.ETag is not null)
        {
            var version = await engine.WriteStateAsync(stateName, GrainRows.Key(grainId), null, Version(grainState.ETag), null);
            grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        }

        grainState.RecordExists = false;
    }

    private static int? Version(string? etag) => etag is null ? null : int.Parse(etag, NumberStyles.None, CultureInfo.InvariantCulture);
}
