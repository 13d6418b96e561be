using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(WorkerState))]
[JsonSerializable(typeof(PersonState))]
[JsonSerializable(typeof(ClientState))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
