using System.Text.Json;

namespace Listo.Orleans.Grains;

/// <summary>
/// Derives a person's view from the worker snapshots of its engagements: profile fields from the newest
/// snapshot of all, each engagement from the newest snapshot for its client.
/// </summary>
public static class PersonViewBuilder
{
    /// <summary>Builds the view, or null when there is no engagement. Engagements are ordered by client id (ordinal).</summary>
    public static PersonView? Build(string workerProfileId, IEnumerable<WorkerSnapshot> engagements)
    {
        ArgumentNullException.ThrowIfNull(engagements);
        var ordered = engagements.OrderBy(e => e.ClientId, StringComparer.Ordinal).ToList();
        if (ordered.Count == 0)
        {
            return null;
        }

        var newest = ordered[0];
        foreach (var engagement in ordered)
        {
            if (engagement.Stamp.IsNewerThan(newest.Stamp))
            {
                newest = engagement;
            }
        }

        var views = new List<EngagementView>(ordered.Count);
        PersonProfile? profile = null;
        foreach (var engagement in ordered)
        {
            using var document = JsonDocument.Parse(engagement.Data);
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

    private static string? StringOrNull(JsonElement data, string name)
        => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? RawOrNull(JsonElement data, string name)
        => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.GetRawText()
            : null;
}
