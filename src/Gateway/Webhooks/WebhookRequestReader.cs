using System.Buffers;
using Listo.Orleans.Gateway.Configuration;
using Listo.Orleans.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Webhooks;

/// <summary>
/// The verification step, called once per request: headers, size, body, then the signature over the exact bytes
/// received. Everything the headers alone can refuse is refused before a byte of the body is read; an oversized
/// body is never held whole. A refusal is a problem+json in words, counted by reason and logged within
/// <see cref="RejectionLogBudget"/> with the sender's values made safe.
/// </summary>
internal sealed partial class WebhookRequestReader(
    WebhookVerifier verifier,
    IOptions<WebhookOptions> options,
    WebhookMetrics metrics,
    RejectionLogBudget logBudget,
    ILogger<WebhookRequestReader> logger)
{
    private const int InitialBufferBytes = 16 * 1024;
    private readonly int _maxBodyBytes = options.Value.MaxBodyBytes;

    /// <summary>The delivery, or the problem that refuses it.</summary>
    public async Task<(VerifiedDelivery? Delivery, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken aborted)
    {
        var headers = request.Headers;
        if (headers[WebhookVerifier.IdHeader].Count > 1 || headers[WebhookVerifier.TimestampHeader].Count > 1)
        {
            return (null, Reject(new VerificationResult(VerificationFailure.MalformedHeader,
                $"The {WebhookVerifier.IdHeader} and {WebhookVerifier.TimestampHeader} headers must each be sent once."), null));
        }

        string? id = headers[WebhookVerifier.IdHeader];
        string? timestamp = headers[WebhookVerifier.TimestampHeader];

        // Several webhook-signature lines are one list, as HTTP allows for a list-valued header.
        var signatures = headers[WebhookVerifier.SignatureHeader];
        var signature = signatures.Count > 1 ? string.Join(' ', signatures.ToArray()) : (string?)signatures;
        var check = verifier.CheckHeaders(id, timestamp, signature);
        if (!check.IsAuthentic)
        {
            return (null, Reject(check, id));
        }

        if (request.ContentLength > _maxBodyBytes)
        {
            return (null, RejectTooLarge(id, $"Content-Length {request.ContentLength}"));
        }

        byte[]? body;
        try
        {
            body = await ReadBodyAsync(request.Body, request.ContentLength, aborted);
        }
        catch (Exception ex) when (!aborted.IsCancellationRequested && ex is BadHttpRequestException or IOException or InvalidDataException)
        {
            // Framing the server cannot read (a chunk size that is not hex or overflows, a body cut short, too slow):
            // the status it means, and words, never the exception.
            return (null, RejectUnreadable(id, ex as BadHttpRequestException));
        }

        if (body is null)
        {
            return (null, RejectTooLarge(id, $"more than {_maxBodyBytes} bytes"));
        }

        var verified = verifier.VerifySignature(id!, timestamp!, signature!, body);
        return verified.IsAuthentic ? (new VerifiedDelivery(id!, body), null) : (null, Reject(verified, id));
    }

    private ProblemHttpResult Reject(VerificationResult result, string? id)
    {
        var (reason, problem) = result.Failure switch
        {
            VerificationFailure.MissingHeader or VerificationFailure.MalformedHeader => ("header", Problems.BadHeader(result.Detail!)),
            VerificationFailure.TimestampOutOfTolerance => ("timestamp", Problems.Unauthorized(result.Detail!)),
            _ => ("signature", Problems.Unauthorized(result.Detail!)),
        };
        return Refuse(id, reason, result.Detail!, problem);
    }

    private ProblemHttpResult RejectTooLarge(string? id, string detail) => Refuse(id, "too_large", detail, Problems.TooLarge(_maxBodyBytes));

    private ProblemHttpResult RejectUnreadable(string? id, BadHttpRequestException? framing) => framing?.StatusCode switch
    {
        StatusCodes.Status408RequestTimeout => Refuse(id, "body_timeout", "the body arrived too slowly", Problems.BodyTimeout()),
        StatusCodes.Status413PayloadTooLarge => RejectTooLarge(id, "the server's request body limit"),
        _ => Refuse(id, "framing", "the request body could not be read", Problems.BadFraming()),
    };

    private ProblemHttpResult Refuse(string? id, string reason, string detail, ProblemHttpResult problem)
    {
        if (logger.IsEnabled(LogLevel.Warning) && logBudget.TryTake(out var suppressed))
        {
            var (safeId, safeDetail) = (SenderText.Safe(id), SenderText.Safe(detail));
            LogRejected(safeId, reason, safeDetail, suppressed);
        }

        metrics.Rejected(reason);
        return problem;
    }

    /// <summary>
    /// Reads the body into an array of its exact size, the one copy every later step shares; null when it is longer
    /// than the limit. A body of known length is read straight into that array; a chunked one grows in a pooled
    /// buffer, at most one byte past the limit, and is copied out once at the end.
    /// </summary>
    private async Task<byte[]?> ReadBodyAsync(Stream body, long? contentLength, CancellationToken aborted)
    {
        if (contentLength is { } known)
        {
            var exact = new byte[known];
            var read = await body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, aborted);
            return read == exact.Length ? exact : exact[..read];
        }

        var limit = _maxBodyBytes + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferBytes, limit));
        var length = 0;
        try
        {
            while (length < limit)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), aborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return length > _maxBodyBytes ? null : buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Rejected delivery {WebhookId}: {Reason}: {Detail} ({Suppressed} similar warnings left out before this one)")]
    private partial void LogRejected(string webhookId, string reason, string detail, long suppressed);
}
