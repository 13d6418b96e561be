using System.Text.Json;
using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>Writes <see cref="JsonText"/> as the raw JSON it holds; reads a JSON value back as its exact bytes.</summary>
public sealed class JsonTextConverter : JsonConverter<JsonText>
{
    public override JsonText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new JsonText(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(document.RootElement).ToArray());
    }

    public override void Write(Utf8JsonWriter writer, JsonText value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
    }
}
