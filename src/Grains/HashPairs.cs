using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Listo.Orleans.Grains;

/// <summary>
/// The working stack of <see cref="ContentHash"/>: (key, value) hash pairs in a pooled array, one segment per open object
/// or array, combined into the node's hash when it closes.
/// </summary>
internal struct HashPairs : IDisposable
{
    private (UInt128 Key, UInt128 Value)[] _pairs;

    public int Count { get; private set; }

    public void Push(UInt128 key, UInt128 value)
    {
        _pairs ??= ArrayPool<(UInt128, UInt128)>.Shared.Rent(64);
        if (Count == _pairs.Length)
        {
            var larger = ArrayPool<(UInt128, UInt128)>.Shared.Rent(_pairs.Length * 2);
            _pairs.AsSpan().CopyTo(larger);
            ArrayPool<(UInt128, UInt128)>.Shared.Return(_pairs);
            _pairs = larger;
        }

        _pairs[Count++] = (key, value);
    }

    public readonly bool KeysDistinct(int start)
    {
        var length = Count - start;
        var keys = ArrayPool<UInt128>.Shared.Rent(length);
        try
        {
            for (var i = 0; i < length; i++)
            {
                keys[i] = _pairs[start + i].Key;
            }

            var sorted = keys.AsSpan(0, length);
            sorted.Sort();
            for (var i = 1; i < sorted.Length; i++)
            {
                if (sorted[i] == sorted[i - 1])
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            ArrayPool<UInt128>.Shared.Return(keys);
        }
    }

    /// <summary>Hashes the segment from <paramref name="start"/> (sorted by key, or in order) and pops it.</summary>
    public UInt128 Combine(int start, bool sort, long seed)
    {
        var segment = (_pairs ?? []).AsSpan(start, Count - start);
        if (sort)
        {
            segment.Sort();
        }
        else
        {
            // In order: the key (an element's id, when it has one) plays no part.
            for (var i = 0; i < segment.Length; i++)
            {
                segment[i].Key = 0;
            }
        }

        Count = start;
        return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(segment), seed);
    }

    public void Dispose()
    {
        if (_pairs is not null)
        {
            ArrayPool<(UInt128, UInt128)>.Shared.Return(_pairs);
        }
    }
}
