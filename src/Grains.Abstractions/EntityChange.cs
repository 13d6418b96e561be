using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>One field that an applied snapshot changed: its JSON path and its old and new JSON values.</summary>
/// <param name="Path">
/// Dot-separated from the snapshot's <c>data</c> (<c>address.city</c>); an element of an array of objects with
/// an <c>id</c> is addressed by that id, not by position (<c>contracts[id=lglsoctc_1].status</c>).
/// </param>
/// <param name="From">The old value as JSON (<c>null</c> when the field was absent).</param>
/// <param name="To">The new value as JSON (<c>null</c> when the field is gone).</param>
[GenerateSerializer, Immutable, Alias("listo.field-change")]
public sealed record FieldChange(
    [property: Id(0), JsonPropertyName("path")] string Path,
    [property: Id(1), JsonPropertyName("from"), JsonConverter(typeof(RawJsonConverter))] string From,
    [property: Id(2), JsonPropertyName("to"), JsonConverter(typeof(RawJsonConverter))] string To);

/// <summary>What one applied delivery changed in one entity; keyed by the entity and the delivery's event id.</summary>
[GenerateSerializer, Immutable, Alias("listo.entity-change")]
public sealed record EntityChange(
    [property: Id(0), JsonPropertyName("entityType")] string EntityType,
    [property: Id(1), JsonPropertyName("entityKey")] string EntityKey,
    [property: Id(2), JsonPropertyName("clientId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId,
    [property: Id(3), JsonPropertyName("workerId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkerId,
    [property: Id(4), JsonPropertyName("workerProfileId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkerProfileId,
    [property: Id(5), JsonPropertyName("eventId")] string EventId,
    [property: Id(6), JsonPropertyName("occurredAt")] string OccurredAt,
    [property: Id(7), JsonPropertyName("fields")] IReadOnlyList<FieldChange> Fields);
