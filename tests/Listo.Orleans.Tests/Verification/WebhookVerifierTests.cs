using Listo.Orleans.Tests.Support;
using System.Text;
using Listo.Orleans.Webhooks;

namespace Listo.Orleans.Tests.Verification;

[Trait(Category.Key, Category.Unit)]
public sealed class WebhookVerifierTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string OtherSecret = "whsec_dGhlIG5ldyBzZWNyZXQgYWZ0ZXIgcm90YXRpb24=";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Now = 1_746_271_800;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");

    private static readonly TimeProvider Clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(Now));

    public static TheoryData<string, string?, string?, Func<string>?, string, VerificationFailure> Cases => new()
    {
        // name, id, timestamp, signature (null = header absent), body, expected
        { "valid signature", Id, Now.ToString(), () => Sign(Secret, Now), "", VerificationFailure.None },
        { "missing webhook-id", null, Now.ToString(), () => Sign(Secret, Now), "", VerificationFailure.MissingHeader },
        { "missing webhook-timestamp", Id, null, () => Sign(Secret, Now), "", VerificationFailure.MissingHeader },
        { "missing webhook-signature", Id, Now.ToString(), null, "", VerificationFailure.MissingHeader },
        { "empty webhook-signature", Id, Now.ToString(), () => " ", "", VerificationFailure.MissingHeader },
        { "timestamp not a number", Id, "yesterday", () => Sign(Secret, Now), "", VerificationFailure.MalformedHeader },
        { "timestamp in milliseconds-with-fraction", Id, "1746271800.5", () => Sign(Secret, Now), "", VerificationFailure.MalformedHeader },
        { "negative timestamp", Id, "-1746271800", () => Sign(Secret, Now), "", VerificationFailure.MalformedHeader },
        // Entries that do not parse count as no match (as the reference libraries do), and the others are still checked.
        { "signature without version", Id, Now.ToString(), () => Sign(Secret, Now)[3..], "", VerificationFailure.NoMatchingSignature },
        { "v1, alone", Id, Now.ToString(), () => "v1,", "", VerificationFailure.NoMatchingSignature },
        { "an entry with no comma", Id, Now.ToString(), () => "v1", "", VerificationFailure.NoMatchingSignature },
        { "unparseable entries, then a valid one", Id, Now.ToString(), () => "v1, v1 ,,, " + Sign(Secret, Now), "", VerificationFailure.None },
        { "id with a space", "msg 1", Now.ToString(), () => Sign(Secret, Now), "", VerificationFailure.MalformedHeader },
        { "timestamp too old", Id, (Now - 301).ToString(), () => Sign(Secret, Now - 301), "", VerificationFailure.TimestampOutOfTolerance },
        { "timestamp too far in the future", Id, (Now + 301).ToString(), () => Sign(Secret, Now + 301), "", VerificationFailure.TimestampOutOfTolerance },
        { "timestamp at the edge of tolerance, past", Id, (Now - 300).ToString(), () => Sign(Secret, Now - 300), "", VerificationFailure.None },
        { "timestamp at the edge of tolerance, future", Id, (Now + 300).ToString(), () => Sign(Secret, Now + 300), "", VerificationFailure.None },
        { "signed with an unknown secret", Id, Now.ToString(), () => Sign("whsec_" + Convert.ToBase64String(new byte[24]), Now), "", VerificationFailure.NoMatchingSignature },
        { "rotated secret: second configured secret matches", Id, Now.ToString(), () => Sign(OtherSecret, Now), "", VerificationFailure.None },
        { "several signatures, the last one valid", Id, Now.ToString(), () => "v1,Zm9v " + "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + Sign(Secret, Now), "", VerificationFailure.None },
        { "several signatures, none valid", Id, Now.ToString(), () => "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1,Zm9v", "", VerificationFailure.NoMatchingSignature },
        { "valid MAC under another version is skipped", Id, Now.ToString(), () => "v1a," + Sign(Secret, Now)[3..], "", VerificationFailure.NoMatchingSignature },
        { "other version first, then valid v1", Id, Now.ToString(), () => "v2,abc " + Sign(Secret, Now), "", VerificationFailure.None },
        { "v1 entry that is not base64", Id, Now.ToString(), () => "v1,!!!not-base64!!!", "", VerificationFailure.NoMatchingSignature },
        { "tampered body", Id, Now.ToString(), () => Sign(Secret, Now), """{"test": 2432232315}""", VerificationFailure.NoMatchingSignature },
        { "signature for another id", "msg_other", Now.ToString(), () => Sign(Secret, Now), "", VerificationFailure.NoMatchingSignature },
        { "signature for another timestamp", Id, (Now + 1).ToString(), () => Sign(Secret, Now), "", VerificationFailure.NoMatchingSignature },
        { "truncated signature", Id, Now.ToString(), () => Sign(Secret, Now)[..20], "", VerificationFailure.NoMatchingSignature },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verify_FollowsStandardWebhooks(string name, string? id, string? timestamp, Func<string>? signature, string body, VerificationFailure expected)
    {
        var verifier = new WebhookVerifier([Secret, OtherSecret], TimeSpan.FromSeconds(300), Clock);
        var bytes = body.Length == 0 ? Body : Encoding.UTF8.GetBytes(body);

        var result = verifier.Verify(id, timestamp, signature?.Invoke(), bytes);

        Assert.True(expected == result.Failure, $"{name}: expected {expected}, got {result.Failure} ({result.Detail})");
        Assert.Equal(expected == VerificationFailure.None, result.Detail is null);
    }

    [Fact]
    public void KnownVector_FromTheStandardWebhooksSpecification_Verifies()
    {
        // The reference example published with the Standard Webhooks specification.
        var verifier = new WebhookVerifier(["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], TimeSpan.FromSeconds(300), new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1614265330)));
        var result = verifier.Verify("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", Encoding.UTF8.GetBytes("""{"test": 2432232314}"""));
        Assert.True(result.IsAuthentic, result.Detail);
    }

    [Fact]
    public void SecretWithoutPrefix_IsTakenAsBase64()
    {
        var verifier = new WebhookVerifier(["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], TimeSpan.FromSeconds(300), Clock);
        Assert.True(verifier.Verify(Id, Now.ToString(), Sign(Secret, Now), Body).IsAuthentic);
    }

    [Theory]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    [InlineData("")]
    public void InvalidSecret_IsRefused_WithoutEchoingIt(string secret)
    {
        var ex = Assert.ThrowsAny<Exception>(() => new WebhookVerifier([secret], TimeSpan.FromSeconds(300)));
        Assert.True(ex is FormatException or ArgumentException, ex.GetType().Name);
        if (secret.Length > "whsec_".Length)
        {
            Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CheckHeaders_RefusesStaleTimestamp_BeforeAnyBodyIsRead()
    {
        var verifier = new WebhookVerifier([Secret], TimeSpan.FromSeconds(300), Clock);
        Assert.Equal(VerificationFailure.TimestampOutOfTolerance, verifier.CheckHeaders(Id, (Now - 3600).ToString(), "v1,abc").Failure);
        Assert.Equal(VerificationFailure.None, verifier.CheckHeaders(Id, Now.ToString(), "v1,abc").Failure);
    }

    private static string Sign(string secret, long timestamp) => WebhookSigner.Sign(secret, Id, timestamp, Body);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
