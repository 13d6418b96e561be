using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Listo.Orleans.Grains;

/// <summary>
/// Canonical JSON, its hash, and field-level diffs of Listo snapshots. Canonical means: object members sorted
/// by name, arrays whose elements are all objects with a distinct string <c>id</c> sorted by that id (Listo does
/// not promise an order for them), everything else as sent. Two snapshots with the same canonical form have
/// the same content, whatever their key or contract order.
/// </summary>
public static class JsonChanges
{
    private const string Null = "null";

    // Values go into JSON bodies, never HTML: keep "+", "<" and non-ASCII text as they are.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly byte[] NothingHeld = "{}"u8.ToArray();

    /// <summary>The fields that differ from <paramref name="before"/> (null: nothing was held) to <paramref name="after"/>.</summary>
    public static List<FieldChange> Diff(JsonText? before, JsonText after)
    {
        using var old = JsonDocument.Parse(before?.Utf8 ?? NothingHeld);
        using var @new = JsonDocument.Parse(after.Utf8);
        var changes = new List<FieldChange>();
        Compare(old.RootElement, @new.RootElement, string.Empty, changes);
        return changes;
    }

    private static void Compare(JsonElement? before, JsonElement? after, string path, List<FieldChange> changes)
    {
        var from = IsNull(before) ? null : before;
        var to = IsNull(after) ? null : after;
        if (from is null && to is null)
        {
            return;
        }

        // Equal as sent (members in any order) is equal canonically too: most of a changed snapshot is skipped here
        // without a path, a name or a canonical text being made for it.
        if (from is { } same && to is { } other && JsonElement.DeepEquals(same, other))
        {
            return;
        }

        if (from is { ValueKind: JsonValueKind.Object } a && to is { ValueKind: JsonValueKind.Object } b)
        {
            var names = new List<string>();
            foreach (var member in a.EnumerateObject())
            {
                names.Add(member.Name);
            }

            foreach (var member in b.EnumerateObject())
            {
                if (!a.TryGetProperty(member.Name, out _))
                {
                    names.Add(member.Name);
                }
            }

            names.Sort(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var (left, right) = (Member(a, name), Member(b, name));
                if (left is not { } l || right is not { } r || !JsonElement.DeepEquals(l, r))
                {
                    Compare(left, right, path.Length == 0 ? name : string.Concat(path, ".", name), changes);
                }
            }

            return;
        }

        if (from is { ValueKind: JsonValueKind.Array } x && to is { ValueKind: JsonValueKind.Array } y
            && ById(x) is { } oldById && ById(y) is { } newById)
        {
            foreach (var id in oldById.Keys.Union(newById.Keys).Order(StringComparer.Ordinal))
            {
                Compare(oldById.GetValueOrDefault(id), newById.GetValueOrDefault(id), $"{path}[id={id}]", changes);
            }

            return;
        }

        var fromText = from is { } f ? Canonical(f) : Null;
        var toText = to is { } t ? Canonical(t) : Null;
        if (!string.Equals(fromText, toText, StringComparison.Ordinal))
        {
            changes.Add(new FieldChange(path, fromText, toText));
        }
    }

    private static bool IsNull(JsonElement? element) => element is null || element.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    private static JsonElement? Member(JsonElement element, string name) => element.TryGetProperty(name, out var value) ? value : null;

    /// <summary>The elements by id when every element is an object with a distinct string id; otherwise null.</summary>
    private static Dictionary<string, JsonElement>? ById(JsonElement array)
    {
        var byId = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object
                || !element.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                || !byId.TryAdd(id.GetString()!, element))
            {
                return null;
            }
        }

        return byId.Count > 0 ? byId : null;
    }

    // One buffer and writer per thread for canonical texts: a first snapshot makes one per field.
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? _canonical;

    private static string Canonical(JsonElement element)
    {
        var (buffer, writer) = _canonical ??= CreateCanonicalWriter();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        WriteCanonical(writer, element);
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) CreateCanonicalWriter()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        return (buffer, new Utf8JsonWriter(buffer, WriterOptions));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in element.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(member.Name);
                    WriteCanonical(writer, member.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                IEnumerable<JsonElement> elements = ById(element) is { } byId
                    ? byId.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Value)
                    : element.EnumerateArray();
                foreach (var item in elements)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
