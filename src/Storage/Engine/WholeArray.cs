using System.Runtime.InteropServices;

namespace Listo.Orleans.Storage;

/// <summary>Bytes handed to Npgsql as an array without a copy when they already are one whole array.</summary>
internal static class WholeArray
{
    public static byte[] Of(ReadOnlyMemory<byte> bytes)
        => MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToArray();
}
