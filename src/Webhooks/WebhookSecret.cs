namespace Listo.Orleans.Webhooks;

/// <summary>Decodes Standard Webhooks signing secrets into HMAC keys.</summary>
public static class WebhookSecret
{
    /// <summary>The prefix Standard Webhooks puts before the base64 key.</summary>
    public const string Prefix = "whsec_";

    /// <summary>
    /// Decodes a secret: <c>whsec_&lt;base64&gt;</c> is decoded after the prefix; a secret without the
    /// prefix is taken as base64 too.
    /// </summary>
    /// <exception cref="FormatException">The secret is empty or not base64. The message never contains the secret.</exception>
    public static byte[] Decode(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var encoded = secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret;
        encoded = encoded.Trim();
        if (encoded.Length == 0)
        {
            throw new FormatException("A webhook secret is empty.");
        }

        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(encoded, buffer, out var written) || written == 0)
        {
            throw new FormatException("A webhook secret is not valid base64 (expected whsec_<base64> or <base64>).");
        }

        return buffer.AsSpan(0, written).ToArray();
    }

    /// <summary>Creates a new random secret in <c>whsec_&lt;base64&gt;</c> form (32 random bytes).</summary>
    public static string Generate()
        => Prefix + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
