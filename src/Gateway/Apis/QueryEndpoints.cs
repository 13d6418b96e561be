using Listo.Orleans.Storage;
using Microsoft.Extensions.Options;
using Listo.Orleans.Grains;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Listo.Orleans.Gateway.Apis;

/// <summary>
/// The <c>/v1</c> query API on the internal listener. Entity reads go to the grains, never to storage directly; the
/// change feed and the delivery journal are read from where they are kept. An id that no delivery could have
/// carried (<see cref="GrainKeys.IsValidId"/>: an encoded '/', a 10 KB string, ...) is answered 404 without
/// activating a grain for it.
/// </summary>
internal static class QueryEndpoints
{
    public static RouteGroupBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").OnListener(Listener.Internal).AddEndpointFilter<BearerKeyFilter>().WithCommonProblems().WithTags("v1");
        v1.MapGet("/clients/{clientId}", GetClientAsync)
            .WithName("GetClient").WithSummary("A client's newest snapshot.").ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/clients/{clientId}/workers", GetClientWorkersAsync)
            .WithName("GetClientWorkers").WithSummary("Every worker known under a client, ordered by workerId.").ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/clients/{clientId}/workers/{workerId}", GetWorkerAsync)
            .WithName("GetWorker").WithSummary("A worker engagement's newest snapshot, data exactly as received.").ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/people/{workerProfileId}", GetPersonAsync)
            .WithName("GetPerson").WithSummary("One person across clients, engagements ordered by clientId.").ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/clients/{clientId}/workers/{workerId}/changes", GetWorkerChangesAsync)
            .WithName("GetWorkerChanges").WithSummary("A worker's recent changes, newest first.").ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/changes", GetChangesAsync)
            .WithName("GetChanges").WithSummary("The change feed, oldest first after the cursor; wait long-polls.").ProducesProblem(StatusCodes.Status400BadRequest);
        v1.MapDeliveries();
        v1.MapRefresh();
        return v1;
    }

    /// <summary>Longest <c>wait</c> of a long poll, and the page sizes of the feed.</summary>
    internal const int MaxWaitSeconds = 30, DefaultLimit = 100, MaxLimit = 1000;

    /// <summary>A worker's history is its rows in the feed (derived, never copied into the worker's state).</summary>
    private static async Task<Results<Ok<ChangesResponse>, ProblemHttpResult>> GetWorkerChangesAsync(
        string clientId, string workerId, IGrainFactory grains, IChangeFeed feed, IOptions<ChangeOptions> options, CancellationToken aborted)
    {
        if (!GrainKeys.IsValidId(clientId) || !GrainKeys.IsValidId(workerId) || await grains.GetWorkerGrain(clientId, workerId).GetAsync() is null)
        {
            return Problems.NotFound($"No snapshot is known for worker '{workerId}' of client '{clientId}'.");
        }

        var changes = await feed.ReadEntityAsync(EntityTypes.Worker, GrainKeys.Worker(clientId, workerId), options.Value.HistoryPerEntity, aborted);
        return TypedResults.Ok(new ChangesResponse(changes.Select(c => ChangeResponse.From(c)).ToList(), Next: null));
    }

    private static async Task<Results<Ok<ChangesResponse>, ProblemHttpResult>> GetChangesAsync(
        IChangeFeed feed,
        TimeProvider time,
        CancellationToken aborted,
        string? after = null,
        string? limit = null,
        string? wait = null,
        string? clientId = null,
        string? entityType = null,
        string? path = null)
    {
        if (!TryParse(limit, DefaultLimit, 1, MaxLimit, out var pageSize))
        {
            return Problems.BadQuery($"limit must be a whole number from 1 to {MaxLimit}.");
        }

        if (!TryParse(wait, 0, 0, MaxWaitSeconds, out var waitSeconds))
        {
            return Problems.BadQuery($"wait must be a whole number of seconds from 0 to {MaxWaitSeconds}.");
        }

        if (entityType is not (null or EntityTypes.Worker or EntityTypes.Person or EntityTypes.Client))
        {
            return Problems.BadQuery($"entityType must be {EntityTypes.Client}, {EntityTypes.Worker} or {EntityTypes.Person}.");
        }

        var query = new ChangeQuery(after, pageSize, clientId, entityType, path);
        var deadline = time.GetTimestamp() + (long)(waitSeconds * (double)time.TimestampFrequency);
        try
        {
            while (true)
            {
                var page = await feed.ReadAsync(query, aborted);
                var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
                if (page.Changes.Count > 0 || remaining <= TimeSpan.Zero)
                {
                    return TypedResults.Ok(new ChangesResponse(page.Changes.Select(c => ChangeResponse.From(c.Change, c.Cursor)).ToList(), page.Next));
                }

                query = query with { After = page.Next };
                await feed.WaitAsync(remaining, aborted);
            }
        }
        catch (FormatException ex)
        {
            return Problems.BadQuery($"after: {ex.Message} Pass a cursor this feed returned, or nothing to start at the beginning.");
        }
    }

    internal static bool TryParse(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        return text is null
            || (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }

    private static async Task<Results<Ok<ClientResponse>, ProblemHttpResult>> GetClientAsync(string clientId, IGrainFactory grains)
        => GrainKeys.IsValidId(clientId) && await grains.GetClientGrain(clientId).GetAsync() is { } snapshot
            ? TypedResults.Ok(ClientResponse.From(snapshot))
            : Problems.NotFound($"No client.created has been applied for client '{clientId}'.");

    private static async Task<Results<Ok<ClientWorkersResponse>, ProblemHttpResult>> GetClientWorkersAsync(string clientId, IGrainFactory grains)
        => GrainKeys.IsValidId(clientId) && await grains.GetClientGrain(clientId).GetWorkersAsync() is { } view
            ? TypedResults.Ok(ClientWorkersResponse.From(view))
            : Problems.NotFound($"Neither client '{clientId}' nor any worker under it is known.");

    private static async Task<Results<Ok<WorkerResponse>, ProblemHttpResult>> GetWorkerAsync(string clientId, string workerId, IGrainFactory grains)
        => GrainKeys.IsValidId(clientId) && GrainKeys.IsValidId(workerId) && await grains.GetWorkerGrain(clientId, workerId).GetAsync() is { } snapshot
            ? TypedResults.Ok(WorkerResponse.From(snapshot))
            : Problems.NotFound($"No snapshot is known for worker '{workerId}' of client '{clientId}'.");

    private static async Task<Results<Ok<PersonResponse>, ProblemHttpResult>> GetPersonAsync(string workerProfileId, IGrainFactory grains)
        => GrainKeys.IsValidId(workerProfileId) && await grains.GetPersonGrain(workerProfileId).GetAsync() is { } view
            ? TypedResults.Ok(PersonResponse.From(view))
            : Problems.NotFound($"No engagement is known for person '{workerProfileId}'.");
}
