using Listo.Orleans.Grains;
using Listo.Orleans.Deliveries;
using Microsoft.AspNetCore.Http.HttpResults;
using Listo.Orleans.Storage;

namespace Listo.Orleans.Gateway.Apis;

/// <summary><c>GET /v1/deliveries</c> and <c>GET /v1/deliveries/{id}</c>: the journal of authentic deliveries.</summary>
internal static class DeliveryEndpoints
{
    public static RouteGroupBuilder MapDeliveries(this RouteGroupBuilder v1)
    {
        v1.MapGet("/deliveries", ListAsync)
            .WithName("ListDeliveries").WithSummary("The journal of authentic deliveries, oldest first by receipt.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/deliveries/{id}", GetAsync)
            .WithName("GetDelivery").WithSummary("One journaled delivery with its raw body.").ProducesProblem(StatusCodes.Status404NotFound);
        return v1;
    }

    private static async Task<Results<Ok<DeliveriesResponse>, ProblemHttpResult>> ListAsync(
        IDeliveryJournal journal,
        StorageMode mode,
        CancellationToken aborted,
        string? outcome = null,
        string? type = null,
        string? from = null,
        string? to = null,
        string? limit = null,
        string? after = null)
    {
        if (!mode.JournalEnabled)
        {
            return Disabled();
        }

        if (!QueryEndpoints.TryParse(limit, QueryEndpoints.DefaultLimit, 1, QueryEndpoints.MaxLimit, out var pageSize))
        {
            return Problems.BadQuery($"limit must be a whole number from 1 to {QueryEndpoints.MaxLimit}.");
        }

        if (outcome is not null && !JournalOutcomes.All.Contains(outcome))
        {
            return Problems.BadQuery($"outcome must be one of {string.Join(", ", JournalOutcomes.All)}.");
        }

        if (!TryInstant(from, out var fromTime) || !TryInstant(to, out var toTime))
        {
            return Problems.BadQuery($"{(TryInstant(from, out _) ? "to" : "from")} must be an ISO-8601 instant with an offset, e.g. 2026-05-03T12:00:00Z.");
        }

        try
        {
            var page = await journal.ListAsync(new JournalQuery(outcome, type, fromTime, toTime, pageSize, after), aborted);
            return TypedResults.Ok(new DeliveriesResponse(page.Deliveries.Select(DeliveryResponse.From).ToList(), page.Next));
        }
        catch (FormatException ex)
        {
            return Problems.BadQuery($"after: {ex.Message} Pass the next cursor a page returned, or nothing to start at the oldest.");
        }
    }

    private static async Task<Results<Ok<DeliveryDetailResponse>, ProblemHttpResult>> GetAsync(
        string id, IDeliveryJournal journal, StorageMode mode, CancellationToken aborted)
    {
        if (!mode.JournalEnabled)
        {
            return Disabled();
        }

        return await journal.GetAsync(id, aborted) is { } entry
            ? TypedResults.Ok(DeliveryDetailResponse.From(entry))
            : Problems.NotFound($"No delivery '{id}' is in the journal (never received, or purged after Journal:RetentionDays).");
    }

    private static ProblemHttpResult Disabled() => Problems.NotFound("The delivery journal is off (Journal:Enabled is false).");

    /// <summary>Absent is fine (no bound); present must be an <see cref="IsoInstant"/>.</summary>
    private static bool TryInstant(string? text, out DateTimeOffset? instant)
    {
        var ok = IsoInstant.TryParse(text, out var parsed);
        instant = ok ? parsed : null;
        return text is null || ok;
    }
}
