using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>
/// A worker engagement's snapshot as delivered by <c>worker.onboarded</c> / <c>worker.updated</c>: the
/// routing fields parsed out, <see cref="Data"/> kept verbatim (unknown fields included).
/// </summary>
/// <param name="Data">The delivery's <c>data</c> object, exactly the bytes Listo sent (a slice of the body).</param>
/// <param name="GoneAt">
/// Set when a refetch found the entity gone at Listo (404): the refetch's instant. The snapshot is kept; newer data
/// (a delivery or a refetch) clears the mark.
/// </param>
/// <param name="SelfPath">
/// The <c>links.self</c> path a refetched snapshot came from, kept when Listo's answer does not carry one itself, so the
/// entity can be refetched again. Null for a delivered snapshot (its <c>data</c> carries <c>links.self</c>).
/// </param>
[GenerateSerializer, Immutable, Alias("listo.worker-snapshot")]
public sealed record WorkerSnapshot(
    [property: Id(0), JsonPropertyName("clientId")] string ClientId,
    [property: Id(1), JsonPropertyName("workerId")] string WorkerId,
    [property: Id(2), JsonPropertyName("workerProfileId")] string WorkerProfileId,
    [property: Id(3), JsonPropertyName("stamp")] EventStamp Stamp,
    [property: Id(4), JsonPropertyName("fullName")] string? FullName,
    [property: Id(5), JsonPropertyName("data")] JsonText Data,
    [property: Id(6), JsonPropertyName("goneAt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GoneAt = null,
    [property: Id(7), JsonPropertyName("selfPath"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SelfPath = null)
{
    /// <summary>This worker's line in its client's worker list (<c>GET /v1/clients/{clientId}/workers</c>).</summary>
    public WorkerSummary ToSummary() => new(WorkerId, WorkerProfileId, FullName, Stamp);
}

/// <summary>
/// A client's snapshot as delivered by <c>client.created</c>; <see cref="Data"/> verbatim. <see cref="GoneAt"/> and
/// <see cref="SelfPath"/> as for <see cref="WorkerSnapshot"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("listo.client-snapshot")]
public sealed record ClientSnapshot(
    [property: Id(0), JsonPropertyName("clientId")] string ClientId,
    [property: Id(1), JsonPropertyName("stamp")] EventStamp Stamp,
    [property: Id(2), JsonPropertyName("name")] string? Name,
    [property: Id(3), JsonPropertyName("data")] JsonText Data,
    [property: Id(4), JsonPropertyName("goneAt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GoneAt = null,
    [property: Id(5), JsonPropertyName("selfPath"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SelfPath = null);

/// <summary>One worker in a client's worker list.</summary>
[GenerateSerializer, Immutable, Alias("listo.worker-summary")]
public sealed record WorkerSummary(
    [property: Id(0), JsonPropertyName("workerId")] string WorkerId,
    [property: Id(1), JsonPropertyName("workerProfileId")] string WorkerProfileId,
    [property: Id(2), JsonPropertyName("fullName")] string? FullName,
    [property: Id(3), JsonPropertyName("stamp")] EventStamp Stamp);

/// <summary>Every worker known under a client, ordered by worker id (ordinal).</summary>
[GenerateSerializer, Immutable, Alias("listo.client-workers-view")]
public sealed record ClientWorkersView(
    [property: Id(0), JsonPropertyName("clientId")] string ClientId,
    [property: Id(1), JsonPropertyName("workers")] IReadOnlyList<WorkerSummary> Workers);

/// <summary>
/// One person across clients. <see cref="Profile"/> follows the newest snapshot of all engagements;
/// each engagement follows the newest snapshot for its client.
/// </summary>
[GenerateSerializer, Immutable, Alias("listo.person-view")]
public sealed record PersonView(
    [property: Id(0), JsonPropertyName("workerProfileId")] string WorkerProfileId,
    [property: Id(1), JsonPropertyName("stamp")] EventStamp Stamp,
    [property: Id(2), JsonPropertyName("profile")] PersonProfile Profile,
    [property: Id(3), JsonPropertyName("engagements")] IReadOnlyList<EngagementView> Engagements);

/// <summary>Profile fields of a person. <see cref="AddressJson"/> is the address object's JSON as Listo sent it.</summary>
[GenerateSerializer, Immutable, Alias("listo.person-profile")]
public sealed record PersonProfile(
    [property: Id(0), JsonPropertyName("email")] string? Email,
    [property: Id(1), JsonPropertyName("firstName")] string? FirstName,
    [property: Id(2), JsonPropertyName("lastName")] string? LastName,
    [property: Id(3), JsonPropertyName("fullName")] string? FullName,
    [property: Id(4), JsonPropertyName("phone")] string? Phone,
    [property: Id(5), JsonPropertyName("dateOfBirth")] string? DateOfBirth,
    [property: Id(6), JsonPropertyName("addressJson")] string? AddressJson);

/// <summary>
/// A person's engagement at one client. The <c>*Json</c> members are the JSON of those fields as Listo
/// sent them (null when absent).
/// </summary>
[GenerateSerializer, Immutable, Alias("listo.engagement-view")]
public sealed record EngagementView(
    [property: Id(0), JsonPropertyName("clientId")] string ClientId,
    [property: Id(1), JsonPropertyName("workerId")] string WorkerId,
    [property: Id(2), JsonPropertyName("stamp")] EventStamp Stamp,
    [property: Id(3), JsonPropertyName("organizationUnitJson")] string? OrganizationUnitJson,
    [property: Id(4), JsonPropertyName("organizationLocationJson")] string? OrganizationLocationJson,
    [property: Id(5), JsonPropertyName("contractsJson")] string? ContractsJson);
