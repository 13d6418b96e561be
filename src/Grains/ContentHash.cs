using System.Buffers;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace Listo.Orleans.Grains;

/// <summary>
/// A fingerprint of JSON content in one streaming pass, with no document built: equal for two texts with the same
/// canonical form (object members in any order, arrays whose elements are all objects with distinct string
/// <c>id</c>s in any order, string escapes decoded), different otherwise with overwhelming probability. Each node is
/// hashed (XxHash128) from its children's hashes: an object from its (name, value) pairs sorted, an array from its
/// elements in order, or sorted by id when every element has one. Change detection compares fingerprints and
/// computes a diff only when they differ.
/// </summary>
public static class ContentHash
{
    private const long ObjectSeed = 0x4f, ArraySeed = 0x41, StringSeed = 0x53, NumberSeed = 0x4e, NameSeed = 0x6e;
    private static readonly UInt128 True = 1, False = 2, Null = 3;

    /// <summary>The fingerprint of <paramref name="json"/> (valid JSON; <see cref="JsonException"/> otherwise).</summary>
    public static UInt128 Of(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            return Of(buffer.AsSpan(0, Encoding.UTF8.GetBytes(json, buffer)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The fingerprint of UTF-8 JSON.</summary>
    public static UInt128 Of(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 256 });
        var scratch = new HashPairs();
        try
        {
            reader.Read();
            return Node(ref reader, ref scratch, out _);
        }
        finally
        {
            scratch.Dispose();
        }
    }

    /// <summary>
    /// The fingerprint of the object made of <paramref name="members"/> of the top-level object <paramref name="utf8Json"/>
    /// (those present): equal to <see cref="Of(ReadOnlySpan{byte})"/> of that smaller object, without writing it.
    /// </summary>
    public static UInt128 OfMembers(ReadOnlySpan<byte> utf8Json, IReadOnlyList<string> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var scratch = new HashPairs();
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return scratch.Combine(0, sort: true, ObjectSeed);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var wanted = false;
                for (var i = 0; i < members.Count && !wanted; i++)
                {
                    wanted = reader.ValueTextEquals(members[i]);
                }

                var name = wanted ? Text(ref reader, NameSeed) : 0;
                reader.Read();
                if (wanted)
                {
                    scratch.Push(name, Node(ref reader, ref scratch, out _));
                }
                else
                {
                    reader.Skip();
                }
            }

            return scratch.Combine(0, sort: true, ObjectSeed);
        }
        finally
        {
            scratch.Dispose();
        }
    }

    /// <summary>Hashes the value at the reader and leaves the reader on its last token; <paramref name="id"/> is an object's string id.</summary>
    private static UInt128 Node(ref Utf8JsonReader reader, ref HashPairs scratch, out UInt128? id)
    {
        id = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                {
                    var start = scratch.Count;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var name = Text(ref reader, NameSeed);
                        var isId = reader.ValueTextEquals("id"u8);
                        reader.Read();
                        var value = Node(ref reader, ref scratch, out _);
                        if (isId && reader.TokenType == JsonTokenType.String)
                        {
                            id = value;
                        }

                        scratch.Push(name, value);
                    }

                    return scratch.Combine(start, sort: true, ObjectSeed);
                }

            case JsonTokenType.StartArray:
                {
                    var start = scratch.Count;
                    var allIds = true;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var value = Node(ref reader, ref scratch, out var elementId);
                        allIds &= elementId is not null;
                        scratch.Push(elementId ?? 0, value);
                    }

                    return scratch.Combine(start, sort: allIds && scratch.Count > start && scratch.KeysDistinct(start), ArraySeed);
                }

            case JsonTokenType.String:
                return Text(ref reader, StringSeed);
            case JsonTokenType.Number:
                return XxHash128.HashToUInt128(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan, NumberSeed);
            case JsonTokenType.True:
                return True;
            case JsonTokenType.False:
                return False;
            default:
                return Null;
        }
    }

    /// <summary>A string or property name by its unescaped UTF-8 text.</summary>
    private static UInt128 Text(ref Utf8JsonReader reader, long seed)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return XxHash128.HashToUInt128(reader.ValueSpan, seed);
        }

        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            return XxHash128.HashToUInt128(buffer.AsSpan(0, reader.CopyString(buffer)), seed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
