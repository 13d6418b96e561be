using System.Security.Cryptography;
using System.Text;

namespace Listo.Orleans.Gateway.Apis;

/// <summary>
/// A set of secrets (bearer keys, dashboard logins) held as SHA-256 digests. A presented value is hashed and compared
/// with every digest in constant time, so neither a secret's content nor its length leaks through timing.
/// </summary>
internal sealed class SecretDigests(IEnumerable<string> secrets)
{
    private readonly byte[][] _digests = secrets.Select(s => SHA256.HashData(Encoding.UTF8.GetBytes(s))).ToArray();

    public bool Contains(ReadOnlySpan<byte> presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(presented, digest);
        var known = false;
        foreach (var candidate in _digests)
        {
            known |= CryptographicOperations.FixedTimeEquals(digest, candidate);
        }

        return known;
    }
}
