using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>System.Text.Json metadata for the change shapes stored and served.</summary>
[JsonSerializable(typeof(IReadOnlyList<FieldChange>))]
[JsonSerializable(typeof(EntityChange))]
public sealed partial class ChangeJsonContext : JsonSerializerContext;
