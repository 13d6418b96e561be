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
public sealed partial class ListoApiClient(HttpClient http, IOptions<ListoApiOptions> options, ListoApiMetrics metrics, ILogger<ListoApiClient> logger)
{
    /// <summary>The largest answer read; Listo's entities are a few KB.</summary>
    public const int MaxAnswerBytes = 4 * 1024 * 1024;

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
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => new ListoAnswer.Found(await response.Content.ReadAsByteArrayAsync(cancellationToken)),
                HttpStatusCode.NotFound => new ListoAnswer.NotFound(),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ListoAnswer.Failed(
                    $"Listo refused the API key (Listo:ApiKey): {(int)response.StatusCode} {response.ReasonPhrase}."),
                _ => new ListoAnswer.Failed($"Listo answered {(int)response.StatusCode} {response.ReasonPhrase} (after the configured retries)."),
            };
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
