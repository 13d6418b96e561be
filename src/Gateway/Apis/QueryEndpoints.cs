using Listo.Orleans.Gateway.Webhooks;
using Listo.Orleans.Grains;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Listo.Orleans.Gateway.Apis;

/// <summary>The <c>/v1</c> query API on the internal listener. Reads go to the grains, never to storage directly.</summary>
internal static class QueryEndpoints
{
    public static RouteGroupBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").OnListener(Listener.Internal).AddEndpointFilter<BearerKeyFilter>();
        v1.MapGet("/clients/{clientId}", GetClientAsync);
        v1.MapGet("/clients/{clientId}/workers", GetClientWorkersAsync);
        v1.MapGet("/clients/{clientId}/workers/{workerId}", GetWorkerAsync);
        v1.MapGet("/people/{workerProfileId}", GetPersonAsync);
        return v1;
    }

    private static async Task<Results<Ok<ClientResponse>, ProblemHttpResult>> GetClientAsync(string clientId, IGrainFactory grains)
        => await grains.GetClientGrain(clientId).GetAsync() is { } snapshot
            ? TypedResults.Ok(ClientResponse.From(snapshot))
            : Problems.NotFound($"No client.created has been applied for client '{clientId}'.");

    private static async Task<Results<Ok<ClientWorkersResponse>, ProblemHttpResult>> GetClientWorkersAsync(string clientId, IGrainFactory grains)
        => await grains.GetClientGrain(clientId).GetWorkersAsync() is { } view
            ? TypedResults.Ok(ClientWorkersResponse.From(view))
            : Problems.NotFound($"Neither client '{clientId}' nor any worker under it is known.");

    private static async Task<Results<Ok<WorkerResponse>, ProblemHttpResult>> GetWorkerAsync(string clientId, string workerId, IGrainFactory grains)
        => IsKey(clientId) && IsKey(workerId) && await grains.GetWorkerGrain(clientId, workerId).GetAsync() is { } snapshot
            ? TypedResults.Ok(WorkerResponse.From(snapshot))
            : Problems.NotFound($"No snapshot is known for worker '{workerId}' of client '{clientId}'.");

    private static async Task<Results<Ok<PersonResponse>, ProblemHttpResult>> GetPersonAsync(string workerProfileId, IGrainFactory grains)
        => await grains.GetPersonGrain(workerProfileId).GetAsync() is { } view
            ? TypedResults.Ok(PersonResponse.From(view))
            : Problems.NotFound($"No engagement is known for person '{workerProfileId}'.");

    // A path segment may carry an encoded '/', which would address another worker's key.
    private static bool IsKey(string id) => !id.Contains(GrainKeys.Separator, StringComparison.Ordinal);
}
