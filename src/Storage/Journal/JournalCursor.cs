using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

/// <summary>Cursors of the journal: opaque to callers, <c>{received µs}|{id}</c> inside.</summary>
public static class JournalCursor
{
    public static string Of(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var micros = (entry.ReceivedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{micros.ToString(CultureInfo.InvariantCulture)}|{entry.Id}"));
    }

    /// <summary>The position a cursor names; <see cref="FormatException"/> when it is not one of ours.</summary>
    public static (DateTimeOffset ReceivedAt, string Id) Parse(string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var micros))
            {
                return (DateTimeOffset.UnixEpoch.AddTicks(micros * 10), text[(bar + 1)..]);
            }
        }
        catch (FormatException)
        {
            // answered below
        }

        throw new FormatException($"'{cursor}' is not a cursor of the journal.");
    }

    /// <summary>PostgreSQL keeps microseconds: every journal holds times at that precision, so cursors compare alike.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);
}
