using Microsoft.AspNetCore.Http.HttpResults;

namespace Listo.Orleans.Gateway;

/// <summary>The problem+json answers of the gateway (RFC 9457): a stable type, a title, and a detail a person can act on.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadHeader(string detail) => Make(400, "webhook-header", "A webhook header is missing or malformed", detail);

    public static ProblemHttpResult Unauthorized(string detail) => Make(401, "webhook-signature", "The delivery is not authentic", detail);

    public static ProblemHttpResult InvalidEnvelope(string detail) => Make(400, "invalid-envelope", "The delivery is not a valid Listo event", detail);

    public static ProblemHttpResult TooLarge(int maxBytes)
        => Make(413, "body-too-large", "The body is too large", $"The body exceeds Webhooks:MaxBodyBytes ({maxBytes} bytes).");

    public static ProblemHttpResult BadFraming()
        => Make(400, "bad-framing", "The request body could not be read",
            "The body's HTTP framing is not valid: a chunk size that is not hexadecimal or too large, or a body shorter than announced.");

    public static ProblemHttpResult BodyTimeout()
        => Make(408, "body-timeout", "The request body did not arrive in time", "The body arrived too slowly; send it again.");

    public static ProblemHttpResult Unavailable(string detail) => Make(503, "unavailable", "The delivery cannot be stored now; retry later", detail);

    public static ProblemHttpResult Unauthenticated()
        => Make(401, "unauthenticated", "A bearer key is required", "Send Authorization: Bearer <key> with a key from QueryApi:Keys.");

    public static ProblemHttpResult LoginRequired(string detail) => Make(401, "login-required", "A login is required", detail);

    public static ProblemHttpResult BadQuery(string detail) => Make(400, "bad-query", "A query parameter is not valid", detail);

    public static ProblemHttpResult NotFound(string detail) => Make(404, "not-found", "Not found", detail);

    public static ProblemHttpResult NoSelfLink(string detail) => Make(409, "no-self-link", "The entity cannot be refetched", detail);

    public static ProblemHttpResult RefetchNotConfigured(string detail) => Make(503, "refetch-not-configured", "Refetching from Listo is not configured", detail);

    public static ProblemHttpResult ListoFailed(string detail) => Make(502, "listo-failed", "Listo did not answer with the entity", detail);

    public static ProblemHttpResult ListoTimedOut(string detail) => Make(504, "listo-timeout", "Listo did not answer in time", detail);

    public static ProblemHttpResult RefetchBusy(string detail) => Make(429, "refetch-busy", "Too many refetches are waiting", detail);

    private static ProblemHttpResult Make(int status, string type, string title, string detail)
        => TypedResults.Problem(detail: detail, statusCode: status, title: title, type: "urn:listo-orleans:problem:" + type);
}
