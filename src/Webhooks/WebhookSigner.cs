using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Listo.Orleans.Webhooks;

/// <summary>Computes Standard Webhooks signatures: HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>.</summary>
public static class WebhookSigner
{
    /// <summary>Length of an HMAC-SHA256 digest in bytes.</summary>
    public const int MacLength = 32;

    /// <summary>Signs a delivery and returns a header value of the form <c>v1,&lt;base64&gt;</c>.</summary>
    public static string Sign(string secret, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[MacLength];
        ComputeMac(WebhookSecret.Decode(secret), webhookId, timestamp.ToString(CultureInfo.InvariantCulture), body, mac);
        return "v1," + Convert.ToBase64String(mac);
    }

    /// <summary>
    /// Writes HMAC-SHA256(key, "{id}.{timestamp}.{body}") into <paramref name="destination"/>, assembling
    /// the signed content in one pooled buffer so the hot path does not allocate per delivery.
    /// </summary>
    public static void ComputeMac(ReadOnlySpan<byte> key, string webhookId, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var prefixLength = Encoding.UTF8.GetByteCount(webhookId) + 1 + Encoding.UTF8.GetByteCount(timestamp) + 1;
        var rented = ArrayPool<byte>.Shared.Rent(prefixLength + body.Length);
        try
        {
            var content = rented.AsSpan(0, prefixLength + body.Length);
            var written = Encoding.UTF8.GetBytes(webhookId, content);
            content[written++] = (byte)'.';
            written += Encoding.UTF8.GetBytes(timestamp, content[written..]);
            content[written++] = (byte)'.';
            body.CopyTo(content[written..]);
            HMACSHA256.HashData(key, content, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
