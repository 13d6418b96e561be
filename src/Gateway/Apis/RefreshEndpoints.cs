using Listo.Orleans.Grains;
using Listo.Orleans.Refetch;

namespace Listo.Orleans.Gateway.Apis;

/// <summary>
/// <c>POST …/refresh</c> on the query API: refetch one worker or client from Listo through the <c>links.self</c> of
/// its newest snapshot and apply the answer by the ordering rule (<see cref="Refresher"/>). Statuses as in API.md:
/// 200 with the outcome, 404 unknown entity, 502 Listo failed, 504 Listo too slow, 503 no <c>Listo:ApiKey</c>; and
/// 409 for a snapshot without <c>links.self</c>, 429 (with Retry-After) when too many refetches wait for the rate limit.
/// </summary>
internal static class RefreshEndpoints
{
    public static RouteGroupBuilder MapRefresh(this RouteGroupBuilder v1)
    {
        v1.MapPost("/clients/{clientId}/refresh", RefreshClientAsync)
            .WithName("RefreshClient").WithSummary("Refetches a client from Listo through links.self and applies it by the ordering rule.").WithRefreshAnswers();
        v1.MapPost("/clients/{clientId}/workers/{workerId}/refresh", RefreshWorkerAsync)
            .WithName("RefreshWorker").WithSummary("Refetches a worker from Listo through links.self and applies it by the ordering rule.").WithRefreshAnswers();
        return v1;
    }

    private static RouteHandlerBuilder WithRefreshAnswers(this RouteHandlerBuilder route)
        => route.Produces<RefreshResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

    private static async Task<IResult> RefreshWorkerAsync(string clientId, string workerId, Refresher refresher, HttpContext context)
        => GrainKeys.IsValidId(clientId) && GrainKeys.IsValidId(workerId)
            ? Answer(await refresher.RefreshWorkerAsync(clientId, workerId, context.RequestAborted), context)
            : Problems.NotFound($"No snapshot is known for worker '{workerId}' of client '{clientId}'.");

    private static async Task<IResult> RefreshClientAsync(string clientId, Refresher refresher, HttpContext context)
        => GrainKeys.IsValidId(clientId)
            ? Answer(await refresher.RefreshClientAsync(clientId, context.RequestAborted), context)
            : Problems.NotFound($"No snapshot is known for client '{clientId}'.");

    private static IResult Answer(RefreshResult result, HttpContext context)
    {
        var detail = result.Detail ?? "";
        switch (result.Status)
        {
            case RefreshStatus.Done:
                return TypedResults.Ok(new RefreshResponse(result.OutcomeName!, result.Stamp?.OccurredAtText));
            case RefreshStatus.UnknownEntity:
                return Problems.NotFound(detail);
            case RefreshStatus.NoSelfLink:
                return Problems.NoSelfLink(detail);
            case RefreshStatus.NotConfigured:
                return Problems.RefetchNotConfigured(detail);
            case RefreshStatus.UpstreamTimedOut:
                return Problems.ListoTimedOut(detail);
            case RefreshStatus.Busy:
                context.Response.Headers.RetryAfter = "1";
                return Problems.RefetchBusy(detail);
            default:
                if (result.RetryAfter is { } wait)
                {
                    context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return Problems.ListoFailed(detail);
        }
    }
}
