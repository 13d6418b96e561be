namespace Listo.Orleans.Webhooks;

/// <summary>The result of verifying one delivery; <see cref="Detail"/> is safe to return to the sender.</summary>
public readonly record struct VerificationResult(VerificationFailure Failure, string? Detail)
{
    public bool IsAuthentic => Failure == VerificationFailure.None;

    internal static readonly VerificationResult Authentic = new(VerificationFailure.None, null);

    internal static VerificationResult Fail(VerificationFailure failure, string detail) => new(failure, detail);
}
