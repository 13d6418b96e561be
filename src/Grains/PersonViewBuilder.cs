using System.Text.Json;

namespace Listo.Orleans.Grains;

/// <summary>
/// Derives a person's view from the worker snapshots of its engagements: profile fields from the newest
/// snapshot of all, each engagement from the newest snapshot for its client.
/// </summary>
public static class PersonViewBuilder
{
    private static readonly string[] ProfileFields = ["email", "firstName", "lastName", "fullName", "phone", "dateOfBirth", "address"];

    // Values are copied as sent (relaxed escaping keeps "São Paulo" readable in a diff).
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Builds the view, or null when there is no engagement. Engagements are ordered by client id (ordinal).</summary>
    public static PersonView? Build(string workerProfileId, IEnumerable<WorkerSnapshot> engagements)
    {
        ArgumentNullException.ThrowIfNull(engagements);
        var ordered = engagements.OrderBy(e => e.ClientId, StringComparer.Ordinal).ToList();
        if (ordered.Count == 0)
        {
            return null;
        }

        var newest = Newest(ordered)!;

        var views = new List<EngagementView>(ordered.Count);
        PersonProfile? profile = null;
        foreach (var engagement in ordered)
        {
            using var document = JsonDocument.Parse(engagement.Data.Utf8);
            var data = document.RootElement;
            views.Add(new EngagementView(
                engagement.ClientId,
                engagement.WorkerId,
                engagement.Stamp,
                RawOrNull(data, "organizationUnit"),
                RawOrNull(data, "organizationLocation"),
                RawOrNull(data, "contracts")));
            if (ReferenceEquals(engagement, newest))
            {
                profile = new PersonProfile(
                    StringOrNull(data, "email"),
                    StringOrNull(data, "firstName"),
                    StringOrNull(data, "lastName"),
                    StringOrNull(data, "fullName"),
                    StringOrNull(data, "phone"),
                    StringOrNull(data, "dateOfBirth"),
                    RawOrNull(data, "address"));
            }
        }

        return new PersonView(workerProfileId, newest.Stamp, profile!, views);
    }

    /// <summary>The snapshot the profile comes from: the newest of all engagements (null when there is none).</summary>
    public static WorkerSnapshot? Newest(IEnumerable<WorkerSnapshot> engagements)
    {
        ArgumentNullException.ThrowIfNull(engagements);
        WorkerSnapshot? newest = null;
        foreach (var engagement in engagements)
        {
            if (newest is null || engagement.Stamp.IsNewerThan(newest.Stamp))
            {
                newest = engagement;
            }
        }

        return newest;
    }

    /// <summary>The fingerprint of <see cref="ProfileJson"/> of <paramref name="snapshot"/>, read from its data without writing it.</summary>
    public static UInt128 ProfileHash(WorkerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return ContentHash.OfMembers(snapshot.Data.Utf8.Span, ProfileFields);
    }

    /// <summary>
    /// The profile fields of <paramref name="snapshot"/> as one JSON object (values as Listo sent them), the
    /// content a person's changes are computed on: <c>address.city</c>, <c>phone</c>, ….
    /// </summary>
    public static string ProfileJson(WorkerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        using var document = JsonDocument.Parse(snapshot.Data.Utf8);
        var data = document.RootElement;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var name in ProfileFields)
            {
                if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value))
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string? StringOrNull(JsonElement data, string name)
        => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? RawOrNull(JsonElement data, string name)
        => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.GetRawText()
            : null;
}
