using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Hosting.Deliveries;

/// <summary>A page request: filters, then oldest first (by received time) after <see cref="After"/>.</summary>
public sealed record JournalQuery(
    string? Outcome = null,
    string? Type = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 100,
    string? After = null)
{
    /// <summary>Whether the page carries each raw body (replay) or not (listings).</summary>
    public bool IncludeBody { get; init; }

    public bool Matches(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (Outcome is null || entry.Outcome == Outcome)
            && (Type is null || entry.Type == Type)
            && (From is null || entry.ReceivedAt >= From)
            && (To is null || entry.ReceivedAt < To);
    }
}

/// <summary>One page of the journal and the cursor after it (null when nothing follows).</summary>
public sealed record JournalPage(IReadOnlyList<JournalEntry> Deliveries, string? Next)
{
    /// <summary>A page of at most <paramref name="limit"/> from <paramref name="fetched"/>, read with one row more to know whether more follow.</summary>
    public static JournalPage From(List<JournalEntry> fetched, int limit)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        var more = fetched.Count > limit;
        if (more)
        {
            fetched.RemoveAt(fetched.Count - 1);
        }

        return new JournalPage(fetched, more && fetched.Count > 0 ? JournalCursor.Of(fetched[^1]) : null);
    }
}

/// <summary>
/// Where authentic deliveries are kept, read and purged. Deliveries are written through <see cref="IDeliveryRecorder"/>
/// (the storage engine's flushes in durable mode); <see cref="RecordAsync"/> writes a batch directly.
/// </summary>
public interface IDeliveryJournal
{
    /// <summary>
    /// Records a batch in one transaction: a new id is inserted, a known one counts another attempt and keeps
    /// the outcome <see cref="JournalOutcomes.Supersedes"/> chooses. Returns once the batch is durable.
    /// </summary>
    Task RecordAsync(IReadOnlyList<JournalEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Sets the outcomes a replay produced, by the same rule; attempts and times stay as received.</summary>
    Task ReplayedAsync(IReadOnlyList<(string Id, string Outcome, string? Detail)> outcomes, CancellationToken cancellationToken = default);

    Task<JournalPage> ListAsync(JournalQuery query, CancellationToken cancellationToken = default);

    /// <summary>One delivery with its raw body, or null.</summary>
    Task<JournalEntry?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes deliveries received before <paramref name="before"/>; returns how many.</summary>
    Task<long> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>The journal's configuration (section <c>Journal</c>).</summary>
public sealed class JournalOptions
{
    public const string Section = "Journal";

    /// <summary>Whether authentic deliveries are journaled at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a delivery is kept, counted from its first receipt.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>How often the gateway purges what is older than the retention.</summary>
    public int PurgeIntervalMinutes { get; set; } = 60;

    /// <summary>Embedded mode only: how many of the newest deliveries (by first receipt) the in-memory journal keeps.</summary>
    public int InMemoryLimit { get; set; } = 10_000;
}

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

/// <summary>
/// The journal of the embedded mode: in memory, gone with the process like the rest of its state. It keeps the
/// newest <see cref="JournalOptions.InMemoryLimit"/> deliveries by first receipt, so memory stays flat however long
/// the process runs, and an index in the listing order, so a page costs its own length, not a sort of the journal.
/// </summary>
public sealed class InMemoryDeliveryJournal(Microsoft.Extensions.Options.IOptions<JournalOptions>? options = null) : IDeliveryJournal, IDeliveryRecorder
{
    private readonly Lock _lock = new();
    private readonly int _limit = options?.Value.InMemoryLimit ?? new JournalOptions().InMemoryLimit;
    private readonly Dictionary<string, JournalEntry> _entries = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset ReceivedAt, string Id)> _order = new(ListingOrder.Instance);

    public Task RecordAsync(IReadOnlyList<JournalEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_lock)
        {
            foreach (var entry in entries)
            {
                var received = entry with { ReceivedAt = JournalCursor.Truncate(entry.ReceivedAt), LastReceivedAt = JournalCursor.Truncate(entry.LastReceivedAt) };
                if (_entries.TryGetValue(entry.Id, out var held))
                {
                    _entries[entry.Id] = held.Then(received); // keeps the first receipt, so its place in the order
                    continue;
                }

                _entries[entry.Id] = received;
                _order.Add((received.ReceivedAt, received.Id));
                if (_order.Count > _limit)
                {
                    var oldest = _order.Min;
                    _order.Remove(oldest);
                    _entries.Remove(oldest.Id);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task RecordAsync(JournalEntry entry) => RecordAsync([entry]);

    public Task ReplayedAsync(IReadOnlyList<(string Id, string Outcome, string? Detail)> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        lock (_lock)
        {
            foreach (var (id, outcome, detail) in outcomes)
            {
                if (_entries.TryGetValue(id, out var held) && JournalOutcomes.Supersedes(outcome, held.Outcome))
                {
                    _entries[id] = held with { Outcome = outcome, Detail = detail };
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<JournalPage> ListAsync(JournalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.After is { } cursor ? JournalCursor.Parse(cursor) : (DateTimeOffset.MinValue, "");
        var page = new List<JournalEntry>(Math.Min(query.Limit + 1, 1024));
        lock (_lock)
        {
            if (_order.Count > 0 && ListingOrder.Instance.Compare(after, _order.Max) < 0)
            {
                foreach (var key in _order.GetViewBetween(after, _order.Max))
                {
                    var entry = _entries[key.Id];
                    if (ListingOrder.Instance.Compare(key, after) <= 0 || !query.Matches(entry))
                    {
                        continue;
                    }

                    page.Add(query.IncludeBody ? entry : entry with { Body = ReadOnlyMemory<byte>.Empty });
                    if (page.Count > query.Limit)
                    {
                        break;
                    }
                }
            }
        }

        return Task.FromResult(JournalPage.From(page, query.Limit));
    }

    public Task<JournalEntry?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_entries.GetValueOrDefault(id));
        }
    }

    public Task<long> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            long purged = 0;
            while (_order.Count > 0 && _order.Min.ReceivedAt < before)
            {
                var oldest = _order.Min;
                _order.Remove(oldest);
                _entries.Remove(oldest.Id);
                purged++;
            }

            return Task.FromResult(purged);
        }
    }

    /// <summary>Oldest first by first receipt, then by id (ordinal): the order <c>GET /v1/deliveries</c> lists.</summary>
    private sealed class ListingOrder : IComparer<(DateTimeOffset ReceivedAt, string Id)>
    {
        public static readonly ListingOrder Instance = new();

        public int Compare((DateTimeOffset ReceivedAt, string Id) x, (DateTimeOffset ReceivedAt, string Id) y)
        {
            var byTime = x.ReceivedAt.CompareTo(y.ReceivedAt);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.Id, y.Id);
        }
    }
}
