using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Deliveries;

/// <summary>
/// Reads the Listo envelope <c>{ id, type, specVersion, dataVersion, occurredAt, entity, data }</c> from an
/// authentic body. <c>data</c> is kept as the exact bytes received: a slice of the body, not a copy.
/// </summary>
public static class ListoEnvelope
{
    public const string ClientCreated = "client.created";
    public const string WorkerOnboarded = "worker.onboarded";
    public const string WorkerUpdated = "worker.updated";

    private const int SupportedVersion = 1;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>
    /// Parses <paramref name="body"/>. The snapshot's <c>data</c> refers into <paramref name="body"/>, so the caller
    /// hands over a buffer it no longer changes or returns to a pool.
    /// </summary>
    public static ParsedDelivery Parse(ReadOnlyMemory<byte> body, string webhookId)
    {
        // The reader does not check the UTF-8 inside strings until they are read; check all of it first, so that no
        // id or name read later can fail on it (one vectorized pass).
        if (!Utf8.IsValid(body.Span))
        {
            return new ParsedDelivery.Invalid("The body is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return new ParsedDelivery.Invalid($"The body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            return Parse(body, document.RootElement, webhookId);
        }
    }

    private static ParsedDelivery Parse(ReadOnlyMemory<byte> body, JsonElement root, string webhookId)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new ParsedDelivery.Invalid("The body must be a JSON object (the Listo event envelope).");
        }

        // What the journal can tell about a body that turns out malformed.
        TryString(root, "type", out var sentType);
        var sentAt = TryString(root, "occurredAt", out var occurred) ? occurred : null;
        var invalid = (string detail) => new ParsedDelivery.Invalid(detail, sentType, sentAt);

        if (!TryString(root, "id", out var id) || !TryString(root, "type", out var type)
            || !TryInt(root, "specVersion", out var specVersion) || !TryInt(root, "dataVersion", out var dataVersion)
            || !TryString(root, "occurredAt", out var occurredAtText)
            || !root.TryGetProperty("entity", out var entity) || entity.ValueKind != JsonValueKind.Object
            || !TryString(entity, "type", out var entityType) || !TryString(entity, "id", out var entityId)
            || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return invalid("The envelope is incomplete: it needs id, type, specVersion and dataVersion (integers), occurredAt, entity { type, id } and a data object.");
        }

        if (!string.Equals(id, webhookId, StringComparison.Ordinal))
        {
            return invalid($"The envelope id '{Truncate(id)}' differs from the webhook-id header '{webhookId}'.");
        }

        if (!IsoInstant.TryParse(occurredAtText, out var occurredAt))
        {
            return invalid($"occurredAt '{Truncate(occurredAtText)}' is not an ISO-8601 instant with a UTC offset.");
        }

        var stamp = new EventStamp(id, occurredAt, occurredAtText);
        var known = type is ClientCreated or WorkerOnboarded or WorkerUpdated;
        if (!known || specVersion != SupportedVersion || dataVersion != SupportedVersion)
        {
            return new ParsedDelivery.Ignored(type, occurredAtText, known
                ? $"specVersion {specVersion} / dataVersion {dataVersion} of {type} is not applied by this version (supports {SupportedVersion})."
                : $"Event type '{Truncate(type)}' is not applied by this version.");
        }

        var raw = Slice(body, data);
        return type == ClientCreated
            ? ParseClient(type, stamp, entityType, entityId, data, raw)
            : ParseWorker(type, stamp, entityType, entityId, data, raw);
    }

    private static ParsedDelivery ParseClient(string type, EventStamp stamp, string entityType, string entityId, JsonElement data, JsonText raw)
    {
        if (entityType != "client")
        {
            return Invalid(type, stamp, $"A {type} event must have entity.type 'client', got '{Truncate(entityType)}'.");
        }

        if (!SnapshotFields.TryClient(data, stamp, raw, out var snapshot, out var problem))
        {
            return Invalid(type, stamp, problem);
        }

        return entityId == snapshot.ClientId
            ? new ParsedDelivery.Client(type, snapshot)
            : Invalid(type, stamp, $"entity.id '{Truncate(entityId)}' differs from data.clientId '{snapshot.ClientId}'.");
    }

    private static ParsedDelivery ParseWorker(string type, EventStamp stamp, string entityType, string entityId, JsonElement data, JsonText raw)
    {
        if (entityType != "worker")
        {
            return Invalid(type, stamp, $"A {type} event must have entity.type 'worker', got '{Truncate(entityType)}'.");
        }

        if (!SnapshotFields.TryWorker(data, stamp, raw, out var snapshot, out var problem))
        {
            return Invalid(type, stamp, problem);
        }

        return entityId == snapshot.WorkerId
            ? new ParsedDelivery.Worker(type, snapshot)
            : Invalid(type, stamp, $"entity.id '{Truncate(entityId)}' differs from data.workerId '{snapshot.WorkerId}'.");
    }

    /// <summary><paramref name="value"/>'s bytes as a slice of <paramref name="body"/>, which the document was parsed from in place.</summary>
    internal static JsonText Slice(ReadOnlyMemory<byte> body, JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        return body.Span.Overlaps(raw, out var offset) ? new JsonText(body.Slice(offset, raw.Length)) : new JsonText(raw.ToArray());
    }

    private static ParsedDelivery.Invalid Invalid(string type, EventStamp stamp, string detail) => new(detail, type, stamp.OccurredAtText);

    internal static bool TryString(JsonElement element, string name, out string value)
    {
        value = element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String
            ? property.GetString() ?? ""
            : "";
        return value.Length > 0;
    }

    private static bool TryInt(JsonElement element, string name, out int value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out value);
    }

    internal static string Truncate(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 80), "…");
}
