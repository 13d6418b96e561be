namespace Listo.Orleans.Webhooks;

/// <summary>Why a delivery failed verification. Each maps to one HTTP status at the gateway.</summary>
public enum VerificationFailure
{
    /// <summary>Authentic.</summary>
    None,

    /// <summary>A required <c>webhook-*</c> header is absent (400).</summary>
    MissingHeader,

    /// <summary>A <c>webhook-*</c> header is present but cannot be read (400).</summary>
    MalformedHeader,

    /// <summary>The timestamp is further from now than the tolerance, in the past or the future (401).</summary>
    TimestampOutOfTolerance,

    /// <summary>No listed <c>v1</c> signature matches any configured secret (401).</summary>
    NoMatchingSignature,
}
