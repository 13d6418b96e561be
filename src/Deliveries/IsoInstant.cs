using System.Globalization;

namespace Listo.Orleans.Deliveries;

/// <summary>
/// The one reading of an instant in this project: ISO-8601 with a date, a time and an offset (<c>Z</c> or
/// <c>±hh:mm</c>). A local time is not an instant. Envelopes' <c>occurredAt</c>, the journal's <c>from</c>/<c>to</c>
/// and the commands' <c>--from</c>/<c>--to</c>/<c>--before</c> all use it.
/// </summary>
public static class IsoInstant
{
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        var hasOffset = text is not null
            && (text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':'));
        return hasOffset
            && text!.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }
}
