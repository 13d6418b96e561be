using System.Globalization;
using System.Text;

namespace Listo.Orleans.Gateway.Webhooks;

/// <summary>
/// A value the sender controls (a <c>webhook-id</c> before verification, an event type, an id), made safe for a log
/// line: control characters, line and paragraph separators and backslashes escaped, at most <see cref="MaxLength"/>
/// characters kept, and the original length said when it was cut.
/// </summary>
internal static class SenderText
{
    public const int MaxLength = 128;

    public static string Safe(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        var kept = value.AsSpan(0, Math.Min(value.Length, MaxLength));
        if (kept.Length == value.Length && !NeedsEscape(kept))
        {
            return value;
        }

        var text = new StringBuilder(kept.Length + 16);
        foreach (var c in kept)
        {
            if (c == '\\')
            {
                text.Append(@"\\");
            }
            else if (char.IsControl(c) || c is '\u2028' or '\u2029' || char.IsSurrogate(c))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                text.Append(c);
            }
        }

        if (kept.Length < value.Length)
        {
            text.Append(CultureInfo.InvariantCulture, $"…({value.Length} chars)");
        }

        return text.ToString();
    }

    private static bool NeedsEscape(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c == '\\' || char.IsControl(c) || c is '\u2028' or '\u2029' || char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }
}
