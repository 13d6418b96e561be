using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Listo.Orleans.Refetch;

/// <summary>
/// The typed <see cref="HttpClient"/> for Listo's REST API. Timeouts, retries, the circuit breaker and the rate
/// limit are the resilience pipeline's (<see cref="ListoApiServices"/>); this class turns what is left into a
/// <see cref="ListoAnswer"/>. The <c>x-api-key</c> header is set on the client and appears in no log line.
/// </summary>
public sealed partial class ListoApiClient(HttpClient http, IOptions<ListoApiOptions> options, ListoApiMetrics metrics, TimeProvider time, ILogger<ListoApiClient> logger)
{
    /// <summary>The largest answer read; Listo's entities are a few KB.</summary>
    public const int MaxAnswerBytes = 4 * 1024 * 1024;

    /// <summary>Redirects followed within Listo's own origin; one to another origin is never followed.</summary>
    public const int MaxRedirects = 3;

    /// <summary>When the whole refetch must be over (<c>Listo:TimeoutSeconds</c> after it began), carried on each attempt.</summary>
    private static readonly HttpRequestOptionsKey<DateTimeOffset> Deadline = new("listo-refetch-deadline");

    /// <summary>GETs <c>{Listo:ApiBaseUrl}{path}</c>; <paramref name="path"/> is a <see cref="Deliveries.ListoResource.IsApiPath"/>.</summary>
    public async Task<ListoAnswer> GetAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var uri = new Uri(options.Value.ApiBaseUrl.TrimEnd('/') + path, UriKind.Absolute);
        var answer = await SendAsync(uri, cancellationToken);
        var name = answer switch
        {
            ListoAnswer.Found => "found",
            ListoAnswer.NotFound => "not-found",
            ListoAnswer.TimedOut => "timed-out",
            ListoAnswer.Busy => "busy",
            _ => "failed",
        };
        metrics.Answered(name);
        if (answer is ListoAnswer.Failed or ListoAnswer.TimedOut or ListoAnswer.Busy)
        {
            LogNotFetched(logger, path, answer);
        }

        return answer;
    }

    private async Task<ListoAnswer> SendAsync(Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Options.Set(Deadline, deadline);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    // Followed here rather than by the handler, which would send x-api-key wherever Location points.
                    var next = new Uri(uri, location);
                    if (Uri.Compare(next, uri, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
                    {
                        return new ListoAnswer.Failed(
                            $"Listo redirected to another origin ({next.GetLeftPart(UriPartial.Authority)}), which is not followed: the API key is sent to Listo:ApiBaseUrl only.");
                    }

                    if (redirects == MaxRedirects)
                    {
                        return new ListoAnswer.Failed($"Listo redirected more than {MaxRedirects} times.");
                    }

                    uri = next;
                    continue;
                }

                return await AnswerAsync(response, deadline, cancellationToken);
            }
        }
        catch (TimeoutRejectedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new ListoAnswer.TimedOut($"Listo did not answer within {ex.Timeout.TotalSeconds:0.#} s.");
        }
        catch (BrokenCircuitException ex)
        {
            var wait = ex.RetryAfter is { } after ? $"; refetches resume in {Math.Ceiling(after.TotalSeconds):0} s" : "";
            return new ListoAnswer.Failed($"Listo failed too often recently, so it is not being asked (circuit open{wait}).", ex.RetryAfter ?? TimeSpan.FromSeconds(5));
        }
        catch (RateLimiterRejectedException)
        {
            return new ListoAnswer.Busy($"Too many refetches are waiting for the rate limit (Listo:RequestsPerSecond = {options.Value.RequestsPerSecond}); try again shortly.");
        }
        catch (HttpRequestException ex)
        {
            return new ListoAnswer.Failed($"Listo could not be reached or its answer could not be read: {ex.Message}");
        }
    }

    private async Task<ListoAnswer> AnswerAsync(HttpResponseMessage response, DateTimeOffset deadline, CancellationToken cancellationToken) => response.StatusCode switch
    {
        HttpStatusCode.OK => await ReadAsync(response.Content, deadline, cancellationToken),
        HttpStatusCode.NotFound => new ListoAnswer.NotFound(),
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ListoAnswer.Failed(
            $"Listo refused the API key (Listo:ApiKey): {(int)response.StatusCode} {response.ReasonPhrase}."),
        _ when WaitPastDeadline(response, time) is { } wait => new ListoAnswer.Failed(
            $"Listo answered {(int)response.StatusCode} {response.ReasonPhrase} and asked for a wait of {Math.Ceiling(wait.TotalSeconds):0} s " +
            $"(Retry-After), longer than a refetch waits (Listo:TimeoutSeconds {options.Value.TimeoutSeconds}).",
            wait),
        _ => new ListoAnswer.Failed($"Listo answered {(int)response.StatusCode} {response.ReasonPhrase} (after the configured retries)."),
    };

    /// <summary>
    /// Reads the answer's body by the refetch's deadline and up to <see cref="MaxAnswerBytes"/>. The pipeline's
    /// timeouts end when the headers arrive, and the client's buffer limit does not apply to a streamed body.
    /// </summary>
    private async Task<ListoAnswer> ReadAsync(HttpContent content, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxAnswerBytes)
        {
            return TooLarge();
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var left = deadline - time.GetUtcNow();
        bounded.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
        try
        {
            await using var body = await content.ReadAsStreamAsync(bounded.Token);
            using var copy = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(chunk, bounded.Token)) > 0)
            {
                if (copy.Length + read > MaxAnswerBytes)
                {
                    return TooLarge();
                }

                copy.Write(chunk, 0, read);
            }

            return new ListoAnswer.Found(copy.ToArray());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ListoAnswer.TimedOut($"Listo did not send the whole answer within {options.Value.TimeoutSeconds} s.");
        }
        catch (IOException ex)
        {
            return new ListoAnswer.Failed($"Listo's answer broke off: {ex.Message}");
        }

        static ListoAnswer.Failed TooLarge() => new($"Listo's answer is larger than {MaxAnswerBytes / (1024 * 1024)} MB; it is not read.");
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>
    /// The wait <paramref name="response"/>'s <c>Retry-After</c> asks for, when waiting it out would end past the
    /// refetch's deadline. Such an answer is not retried: waiting would only end in a timeout (a 504 that hides what
    /// Listo said), so the refetch fails at once and passes the wait on instead.
    /// </summary>
    internal static TimeSpan? WaitPastDeadline(HttpResponseMessage? response, TimeProvider time)
    {
        if (response?.Headers.RetryAfter is not { } header || response.RequestMessage?.Options.TryGetValue(Deadline, out var deadline) != true)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var wait = header.Delta ?? (header.Date is { } date ? date - now : TimeSpan.Zero);
        return now + wait > deadline ? wait : null;
    }

    private static void LogNotFetched(ILogger logger, string path, ListoAnswer answer)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            var detail = answer switch
            {
                ListoAnswer.Failed f => f.Detail,
                ListoAnswer.TimedOut t => t.Detail,
                ListoAnswer.Busy b => b.Detail,
                _ => "",
            };
            LogFailed(logger, path, detail);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refetch of {Path} from Listo failed: {Detail}")]
    private static partial void LogFailed(ILogger logger, string path, string detail);
}
