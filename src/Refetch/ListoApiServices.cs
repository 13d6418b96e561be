using System.Threading.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;
using Polly.Timeout;

namespace Listo.Orleans.Refetch;

/// <summary>Registers refetching: <see cref="ListoApiOptions"/>, the typed client with its resilience pipeline, and <see cref="Refresher"/>.</summary>
public static class ListoApiServices
{
    /// <summary>The name of the client's resilience pipeline (its telemetry carries it).</summary>
    public const string PipelineName = "listo-api";

    public static IServiceCollection AddListoRefetch(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<IValidateOptions<ListoApiOptions>, ListoApiOptionsValidator>();
        services.AddOptions<ListoApiOptions>().BindConfiguration(ListoApiOptions.Section).ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ListoApiMetrics>();
        services.TryAddKeyedSingleton<RateLimiter>(PipelineName, (sp, _) => RateLimit(sp.GetRequiredService<IOptions<ListoApiOptions>>().Value.RequestsPerSecond));
        services.TryAddSingleton<Refresher>();

        // Polly logs each retried attempt as a warning with its exception's stack; the answer is what matters, and
        // ListoApiClient logs that once. Attempts and retries stay visible at Debug and in listo_refetch_retries_total.
        services.Configure<TelemetryOptions>(telemetry => telemetry.SeverityProvider = args
            => args.Event.EventName is "OnCircuitOpened" ? args.Event.Severity : ResilienceEventSeverity.Debug);

        services.AddHttpClient<ListoApiClient>((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<ListoApiOptions>>().Value;
                http.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's timeouts govern
                http.MaxResponseContentBufferSize = ListoApiClient.MaxAnswerBytes;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("Listo.Orleans-refetch/1.0");
                http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
                if (options.HasKey)
                {
                    http.DefaultRequestHeaders.Add("x-api-key", options.ApiKey);
                }
            })
            // Redirects are ListoApiClient's to follow, within Listo's origin only: the handler would forward x-api-key
            // to any host a Location names.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .RedactLoggedHeaders(_ => true)
            .AddResilienceHandler(PipelineName, (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ListoApiOptions>>().Value;
                var metrics = context.ServiceProvider.GetRequiredService<ListoApiMetrics>();
                var time = context.ServiceProvider.GetRequiredService<TimeProvider>();

                // Outermost first: the whole refetch's deadline, retries, the breaker, then each attempt takes a
                // token from the rate limit (retries count against it too) and has its own deadline.
                pipeline.AddTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds));
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(options.Retries, 1),
                    // A Retry-After that outlasts the refetch's deadline is not waited for (see ListoApiClient.WaitPastDeadline).
                    ShouldHandle = options.Retries == 0
                        ? static _ => PredicateResult.False()
                        : args => ValueTask.FromResult(
                            HttpClientResiliencePredicates.IsTransient(args.Outcome) && ListoApiClient.WaitPastDeadline(args.Outcome.Result, time) is null),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(500),
                    MaxDelay = TimeSpan.FromSeconds(15),
                    ShouldRetryAfterHeader = true,
                    OnRetry = args =>
                    {
                        metrics.Retried(args.Outcome switch
                        {
                            { Result: { } response } => ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            { Exception: TimeoutRejectedException } => "timeout",
                            _ => "connection",
                        });
                        return ValueTask.CompletedTask;
                    },
                });
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    // Opens only when most attempts fail: injected or occasional 429s and 5xx are the retries' job.
                    FailureRatio = 0.5,
                    MinimumThroughput = 20,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromSeconds(5),
                    OnOpened = _ => metrics.CircuitChanged(open: true),
                    OnClosed = _ => metrics.CircuitChanged(open: false),
                    OnHalfOpened = _ => metrics.CircuitChanged(open: false),
                });
                pipeline.AddRateLimiter(context.ServiceProvider.GetRequiredKeyedService<RateLimiter>(PipelineName));
                pipeline.AddTimeout(TimeSpan.FromSeconds(options.AttemptTimeoutSeconds));
            });
        return services;
    }

    /// <summary>
    /// A token bucket of <paramref name="perSecond"/> tokens a second holding at most a twentieth of a second's worth, so
    /// that no second sends more than about 1.05 × the rate. Callers beyond the queue get <see cref="ListoAnswer.Busy"/>.
    /// </summary>
    internal static RateLimiter RateLimit(int perSecond) => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
    {
        TokenLimit = Math.Max(1, perSecond / 20),
        TokensPerPeriod = perSecond <= 100 ? 1 : perSecond / 100,
        ReplenishmentPeriod = perSecond <= 100 ? TimeSpan.FromSeconds(1.0 / perSecond) : TimeSpan.FromMilliseconds(10),
        QueueLimit = 10_000,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    });
}
