using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Deliveries;

/// <summary>
/// Listo's REST side: where a snapshot says its entity can be fetched (<c>links.self</c>), and the entity's current
/// state as the API answers it. The answer is the entity's <c>data</c>, the same shape as a delivery's; an answer
/// of the form <c>{ "data": { … } }</c> is unwrapped.
/// </summary>
public static class ListoResource
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>
    /// The <c>links.self</c> path of a held snapshot, or null when it has none or it is not a path on Listo's API
    /// host. Only a path is ever followed: the API key goes to <c>Listo:ApiBaseUrl</c> and nowhere else.
    /// </summary>
    public static string? SelfPath(JsonText data)
    {
        using var document = JsonDocument.Parse(data.Utf8, DocumentOptions);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("links", out var links) && links.ValueKind == JsonValueKind.Object
            && links.TryGetProperty("self", out var self) && self.ValueKind == JsonValueKind.String
            && IsApiPath(self.GetString())
                ? self.GetString()
                : null;
    }

    /// <summary>A path on the API host: starts with one '/', no scheme or host, no dot-segments, no white space.</summary>
    public static bool IsApiPath([NotNullWhen(true)] string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > 2048 || path[0] != '/' || path.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in path)
        {
            if (c == '\\' || c == '#' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        var route = path.Split('?', 2)[0];
        return !route.Split('/').Any(segment => segment is "." or ".." || segment.Equals("%2e%2e", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Reads a refetched worker, stamped <paramref name="stamp"/>.</summary>
    public static bool TryReadWorker(ReadOnlyMemory<byte> body, EventStamp stamp, [NotNullWhen(true)] out WorkerSnapshot? snapshot, out string problem)
    {
        WorkerSnapshot? read = null;
        var ok = TryRead(body, (data, raw) => (SnapshotFields.TryWorker(data, stamp, raw, out read, out var p), p), out problem);
        snapshot = ok ? read : null;
        return snapshot is not null;
    }

    /// <summary>Reads a refetched client, stamped <paramref name="stamp"/>.</summary>
    public static bool TryReadClient(ReadOnlyMemory<byte> body, EventStamp stamp, [NotNullWhen(true)] out ClientSnapshot? snapshot, out string problem)
    {
        ClientSnapshot? read = null;
        var ok = TryRead(body, (data, raw) => (SnapshotFields.TryClient(data, stamp, raw, out read, out var p), p), out problem);
        snapshot = ok ? read : null;
        return snapshot is not null;
    }

    private static bool TryRead(ReadOnlyMemory<byte> body, Func<JsonElement, JsonText, (bool Ok, string Problem)> read, out string problem)
    {
        if (!Utf8.IsValid(body.Span))
        {
            problem = "Listo's answer is not valid UTF-8.";
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            problem = $"Listo's answer is not valid JSON: {ex.Message}";
            return false;
        }

        using (document)
        {
            var data = document.RootElement;
            // { "data": entity } is unwrapped; an entity itself carries its clientId at the top.
            if (data.ValueKind == JsonValueKind.Object && !data.TryGetProperty("clientId", out _)
                && data.TryGetProperty("data", out var inner) && inner.ValueKind == JsonValueKind.Object)
            {
                data = inner;
            }

            if (data.ValueKind != JsonValueKind.Object)
            {
                problem = "Listo's answer is not a JSON object (the entity, or { \"data\": entity }).";
                return false;
            }

            (var ok, problem) = read(data, ListoEnvelope.Slice(body, data));
            if (!ok)
            {
                problem = "Listo's answer is not usable: " + problem;
            }

            return ok;
        }
    }
}
