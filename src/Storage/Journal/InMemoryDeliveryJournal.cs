using Listo.Orleans.Grains;

namespace Listo.Orleans.Storage;

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
