using System.Text.Json;
using System.Text.Json.Serialization;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Gateway.Apis;

// The /v1 JSON shapes of API.md. Members typed string with RawJsonConverter carry JSON exactly as Listo sent it.

public sealed record ClientResponse(
    string ClientId,
    string? Name,
    [property: JsonConverter(typeof(RawJsonConverter))] string? Address,
    string OccurredAt,
    string EventId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GoneAt)
{
    public static ClientResponse From(ClientSnapshot snapshot)
    {
        using var document = JsonDocument.Parse(snapshot.Data.Utf8);
        var address = document.RootElement.TryGetProperty("address", out var value) ? value.GetRawText() : null;
        return new(snapshot.ClientId, snapshot.Name, address, snapshot.Stamp.OccurredAtText, snapshot.Stamp.EventId, snapshot.GoneAt);
    }
}

public sealed record ClientWorkersResponse(string ClientId, IReadOnlyList<ClientWorkerLine> Workers)
{
    public static ClientWorkersResponse From(ClientWorkersView view)
        => new(view.ClientId, view.Workers.Select(w => new ClientWorkerLine(w.WorkerId, w.WorkerProfileId, w.FullName, w.Stamp.OccurredAtText)).ToList());
}

public sealed record ClientWorkerLine(string WorkerId, string WorkerProfileId, string? FullName, string OccurredAt);

public sealed record WorkerResponse(
    string ClientId,
    string WorkerId,
    string WorkerProfileId,
    string OccurredAt,
    string EventId,
    JsonText Snapshot,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GoneAt)
{
    public static WorkerResponse From(WorkerSnapshot snapshot)
        => new(snapshot.ClientId, snapshot.WorkerId, snapshot.WorkerProfileId, snapshot.Stamp.OccurredAtText, snapshot.Stamp.EventId, snapshot.Data, snapshot.GoneAt);
}

public sealed record PersonResponse(string WorkerProfileId, string OccurredAt, ProfileResponse Profile, IReadOnlyList<EngagementResponse> Engagements)
{
    public static PersonResponse From(PersonView view)
    {
        var p = view.Profile;
        return new(
            view.WorkerProfileId,
            view.Stamp.OccurredAtText,
            new ProfileResponse(p.Email, p.FirstName, p.LastName, p.FullName, p.Phone, p.DateOfBirth, p.AddressJson),
            view.Engagements.Select(e => new EngagementResponse(
                e.ClientId, e.WorkerId, e.Stamp.OccurredAtText, e.Stamp.EventId, e.OrganizationUnitJson, e.OrganizationLocationJson, e.ContractsJson)).ToList());
    }
}

public sealed record ProfileResponse(
    string? Email,
    string? FirstName,
    string? LastName,
    string? FullName,
    string? Phone,
    string? DateOfBirth,
    [property: JsonConverter(typeof(RawJsonConverter))] string? Address);

public sealed record EngagementResponse(
    string ClientId,
    string WorkerId,
    string OccurredAt,
    string EventId,
    [property: JsonConverter(typeof(RawJsonConverter))] string? OrganizationUnit,
    [property: JsonConverter(typeof(RawJsonConverter))] string? OrganizationLocation,
    [property: JsonConverter(typeof(RawJsonConverter))] string? Contracts);

/// <summary>
/// One change, as the history of an entity and the change feed serve it (the feed adds its cursor). A change made by a
/// refetch from Listo has <c>"source": "refetch"</c> and the refetch's event id (<c>refetch:{instant}</c>).
/// </summary>
public sealed record ChangeResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Cursor,
    string EntityType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkerId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkerProfileId,
    string EventId,
    string OccurredAt,
    IReadOnlyList<FieldChange> Fields,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Source)
{
    public static ChangeResponse From(EntityChange change, string? cursor = null)
        => new(cursor, change.EntityType, change.ClientId, change.WorkerId, change.WorkerProfileId, change.EventId, change.OccurredAt, change.Fields,
            RefetchStamp.IsRefetch(change.EventId) ? "refetch" : null);
}

/// <summary>A list of changes; <c>next</c> (the feed only) is the cursor to pass as <c>after</c>.</summary>
public sealed record ChangesResponse(
    IReadOnlyList<ChangeResponse> Changes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Next);

/// <summary>One journaled delivery as <c>GET /v1/deliveries</c> lists it.</summary>
public sealed record DeliveryResponse(string Id, string Type, string? OccurredAt, DateTimeOffset ReceivedAt, string Outcome)
{
    public static DeliveryResponse From(JournalEntry entry) => new(entry.Id, entry.Type, entry.OccurredAt, entry.ReceivedAt, entry.Outcome);
}

/// <summary>A page of the journal; <c>next</c> is the cursor to pass as <c>after</c>, absent on the last page.</summary>
public sealed record DeliveriesResponse(
    IReadOnlyList<DeliveryResponse> Deliveries,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Next);

/// <summary>
/// One journaled delivery with its raw body: <c>body</c> is the text as received, or, for a body that is not
/// UTF-8, <c>bodyBase64</c>. <c>detail</c> says why it was quarantined, ignored or failed.
/// </summary>
public sealed record DeliveryDetailResponse(
    string Id,
    string Type,
    string? OccurredAt,
    DateTimeOffset ReceivedAt,
    string Outcome,
    int Attempts,
    DateTimeOffset LastReceivedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Body,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BodyBase64)
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static DeliveryDetailResponse From(JournalEntry entry)
    {
        string? text;
        try
        {
            text = StrictUtf8.GetString(entry.Body.Span);
        }
        catch (ArgumentException)
        {
            text = null;
        }

        return new(entry.Id, entry.Type, entry.OccurredAt, entry.ReceivedAt, entry.Outcome, entry.Attempts, entry.LastReceivedAt, entry.Detail,
            text, text is null ? Convert.ToBase64String(entry.Body.Span) : null);
    }
}

/// <summary>The answer to a refresh: what it did, and the instant its stamp carries (when Listo was asked).</summary>
public sealed record RefreshResponse(
    string Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefetchedAt);
