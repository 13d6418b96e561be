using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Orleans.Storage;

namespace Listo.Orleans.Grains;

/// <summary>
/// Grain state as System.Text.Json with the explicit, stable field names of the state classes, from the
/// first write on: no .NET type names in storage, snapshots stored as JSON rather than escaped strings.
/// </summary>
public sealed class ListoStorageSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input!, TypeInfo<T>()));

    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return JsonSerializer.Deserialize(input.ToMemory().Span, TypeInfo<T>())
            ?? throw new JsonException($"Stored {typeof(T).Name} is JSON null.");
    }

    private static JsonTypeInfo<T> TypeInfo<T>()
        => StorageJsonContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
            ?? throw new NotSupportedException($"{typeof(T).FullName} has no storage contract in {nameof(StorageJsonContext)}.");
}
