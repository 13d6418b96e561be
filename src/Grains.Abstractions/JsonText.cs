using System.Text;
using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>
/// A JSON value as the exact UTF-8 bytes it was received or stored as. A snapshot's <c>data</c> is a slice of the
/// delivery's body, the same bytes the journal keeps: the body is copied once, from the socket, and never
/// transcoded. Equal when the bytes are equal. Stored as that JSON (not as an escaped string) and read back as the
/// exact bytes it was written with.
/// </summary>
[GenerateSerializer, Immutable, Alias("listo.json-text")]
[JsonConverter(typeof(JsonTextConverter))]
public readonly struct JsonText : IEquatable<JsonText>
{
    public JsonText(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    /// <summary>The UTF-8 bytes of the JSON value, valid JSON by construction.</summary>
    [Id(0)]
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>The JSON value of <paramref name="json"/>'s text (tests, and values made in code).</summary>
    public static JsonText FromString(string json) => new(Encoding.UTF8.GetBytes(json));

    public static implicit operator JsonText(string json) => FromString(json);

    /// <summary>The JSON text.</summary>
    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);

    public bool Equals(JsonText other) => Utf8.Span.SequenceEqual(other.Utf8.Span);

    public override bool Equals(object? obj) => obj is JsonText other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Utf8.Span);
        return hash.ToHashCode();
    }

    public static bool operator ==(JsonText left, JsonText right) => left.Equals(right);

    public static bool operator !=(JsonText left, JsonText right) => !left.Equals(right);
}
