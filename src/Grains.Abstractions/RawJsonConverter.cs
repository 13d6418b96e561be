using System.Text.Json;
using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>
/// Stores a string that holds JSON as that JSON, not as an escaped string, and reads it back as the
/// exact text it was written with: snapshots stay verbatim and readable in storage.
/// </summary>
public sealed class RawJsonConverter : JsonConverter<string>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(value, skipInputValidation: true);
        }
    }
}
