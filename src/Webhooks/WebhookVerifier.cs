using System.Globalization;
using System.Security.Cryptography;

namespace Listo.Orleans.Webhooks;

/// <summary>
/// Verifies Standard Webhooks deliveries over the raw body bytes. Thread-safe; build one per secret set.
/// </summary>
public sealed class WebhookVerifier
{
    /// <summary>Header names of the Standard Webhooks scheme.</summary>
    public const string IdHeader = "webhook-id";

    /// <inheritdoc cref="IdHeader"/>
    public const string TimestampHeader = "webhook-timestamp";

    /// <inheritdoc cref="IdHeader"/>
    public const string SignatureHeader = "webhook-signature";

    /// <summary>Longest webhook-id accepted; Listo's are about 30 characters.</summary>
    public const int MaxIdLength = 256;

    private const int MaxSecrets = 16;

    private readonly byte[][] _keys;
    private readonly long _toleranceSeconds;
    private readonly TimeProvider _time;

    public WebhookVerifier(IEnumerable<string> secrets, TimeSpan tolerance, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _keys = secrets.Select(WebhookSecret.Decode).ToArray();
        if (_keys.Length is 0 or > MaxSecrets)
        {
            throw new ArgumentException($"Between 1 and {MaxSecrets} webhook secrets are required.", nameof(secrets));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(tolerance, TimeSpan.Zero);
        _toleranceSeconds = (long)tolerance.TotalSeconds;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Checks the headers alone (presence, form, timestamp tolerance): everything that can be refused
    /// before the body is read.
    /// </summary>
    public VerificationResult CheckHeaders(string? webhookId, string? webhookTimestamp, string? webhookSignature)
    {
        if (string.IsNullOrEmpty(webhookId))
        {
            return VerificationResult.Fail(VerificationFailure.MissingHeader, $"The {IdHeader} header is missing.");
        }

        if (string.IsNullOrEmpty(webhookTimestamp))
        {
            return VerificationResult.Fail(VerificationFailure.MissingHeader, $"The {TimestampHeader} header is missing.");
        }

        if (string.IsNullOrWhiteSpace(webhookSignature))
        {
            return VerificationResult.Fail(VerificationFailure.MissingHeader, $"The {SignatureHeader} header is missing.");
        }

        if (webhookId.Length > MaxIdLength || !IsPrintableAscii(webhookId))
        {
            return VerificationResult.Fail(VerificationFailure.MalformedHeader,
                $"The {IdHeader} header must be 1 to {MaxIdLength} printable ASCII characters.");
        }

        if (!TryParseTimestamp(webhookTimestamp, out var timestamp))
        {
            return VerificationResult.Fail(VerificationFailure.MalformedHeader,
                $"The {TimestampHeader} header must be a Unix time in whole seconds.");
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - timestamp) > _toleranceSeconds)
        {
            return VerificationResult.Fail(VerificationFailure.TimestampOutOfTolerance,
                $"The {TimestampHeader} is {timestamp - now} s from the receiver's clock; at most {_toleranceSeconds} s is accepted.");
        }

        return VerificationResult.Authentic;
    }

    /// <summary>Verifies headers and the signature over the exact bytes received.</summary>
    public VerificationResult Verify(string? webhookId, string? webhookTimestamp, string? webhookSignature, ReadOnlySpan<byte> body)
    {
        var headers = CheckHeaders(webhookId, webhookTimestamp, webhookSignature);
        return headers.IsAuthentic ? VerifySignature(webhookId!, webhookTimestamp!, webhookSignature!, body) : headers;
    }

    /// <summary>
    /// The signature step alone, for a caller that already passed <see cref="CheckHeaders"/> (and so refused bad
    /// headers before reading the body): the headers are not parsed twice on the hot path. Entries of the
    /// space-separated list that do not parse (<c>v1,</c> alone, no comma, bad base64, another version) are skipped,
    /// as the Standard Webhooks reference libraries do: only a list with no matching entry at all fails, as
    /// <see cref="VerificationFailure.NoMatchingSignature"/> (401).
    /// </summary>
    public VerificationResult VerifySignature(string webhookId, string webhookTimestamp, string webhookSignature, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(webhookSignature);
        Span<byte> expected = stackalloc byte[WebhookSigner.MacLength * MaxSecrets];
        for (var k = 0; k < _keys.Length; k++)
        {
            WebhookSigner.ComputeMac(_keys[k], webhookId, webhookTimestamp, body, expected.Slice(k * WebhookSigner.MacLength, WebhookSigner.MacLength));
        }

        Span<byte> candidate = stackalloc byte[WebhookSigner.MacLength + 3];
        foreach (var range in webhookSignature.AsSpan().Split(' '))
        {
            var entry = webhookSignature.AsSpan()[range];
            if (!entry.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue; // other versions (v1a, ...) are skipped, as the scheme requires
            }

            if (!Convert.TryFromBase64Chars(entry[3..], candidate, out var length) || length != WebhookSigner.MacLength)
            {
                continue;
            }

            var match = false;
            for (var k = 0; k < _keys.Length; k++)
            {
                // Every key is compared, so timing does not reveal which secret matched.
                match |= CryptographicOperations.FixedTimeEquals(candidate[..length], expected.Slice(k * WebhookSigner.MacLength, WebhookSigner.MacLength));
            }

            if (match)
            {
                return VerificationResult.Authentic;
            }
        }

        return VerificationResult.Fail(VerificationFailure.NoMatchingSignature,
            "No v1 signature in the webhook-signature header matches a configured secret.");
    }

    private static bool TryParseTimestamp(string value, out long seconds)
    {
        seconds = 0;
        return value.Length <= 19
            && value.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0
            && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out seconds);
    }

    private static bool IsPrintableAscii(string value) => value.AsSpan().IndexOfAnyExceptInRange((char)0x21, (char)0x7E) < 0;
}
