using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace Listo.Orleans.Tests.Support;

/// <summary>
/// A realistic Listo stream: people engaged at several clients (so updates fan out), several versions per
/// worker, duplicates, random arrival order. Knows the final state it implies.
/// </summary>
internal sealed class ListoStream
{
    private readonly Dictionary<(string Client, string Worker), (string EventId, string OccurredAt, string Person)> _expectedWorkers = new();
    private readonly Dictionary<string, string> _expectedPeople = new(StringComparer.Ordinal);

    private ListoStream(List<JsonObject> deliveries, int distinct)
    {
        Deliveries = deliveries;
        DistinctEvents = distinct;
    }

    public List<JsonObject> Deliveries { get; }

    public int DistinctEvents { get; }

    public int Workers => _expectedWorkers.Count;

    public int People => _expectedPeople.Count;

    /// <summary>Each person's newest <c>occurredAt</c> across its engagements: where its profile comes from.</summary>
    public IReadOnlyDictionary<string, string> NewestByPerson => _expectedPeople;

    public static ListoStream Generate(int seed, int people, int clientsPerPerson, int versionsPerWorker, double duplicateShare)
    {
        var random = new Random(seed);
        var clients = Enumerable.Range(0, clientsPerPerson + 2).Select(_ => ListoEvents.NewId("lglsocli")).ToList();
        var events = new List<(JsonObject Envelope, (string, string) Key, string Person, int At, string Id)>();
        for (var p = 0; p < people; p++)
        {
            var person = ListoEvents.NewId("lglsowpf");
            foreach (var client in clients.OrderBy(_ => random.Next()).Take(clientsPerPerson))
            {
                var worker = ListoEvents.NewId("lglsowpr");
                for (var v = 0; v < versionsPerWorker; v++)
                {
                    var id = ListoEvents.NewId("lglsoevt");
                    var at = random.Next(0, 3600);
                    var data = ListoEvents.WorkerData(client, worker, person, city: $"city-{id[^6..]}", phone: $"+1{at:D6}");
                    events.Add((ListoEvents.Worker(id, ListoEvents.At(at), data, v == 0 ? "worker.onboarded" : "worker.updated"), (client, worker), person, at, id));
                }
            }
        }

        var deliveries = events.Select(e => e.Envelope).ToList();
        deliveries.AddRange(events.Where(_ => random.NextDouble() < duplicateShare).Select(e => (JsonObject)e.Envelope.DeepClone()));
        var stream = new ListoStream(deliveries.OrderBy(_ => random.Next()).ToList(), events.Count);
        foreach (var group in events.GroupBy(e => e.Key))
        {
            var newest = group.MaxBy(e => (ListoEvents.Base.AddSeconds(e.At), e.Id), Comparer<(DateTimeOffset, string)>.Create((x, y) =>
                x.Item1 != y.Item1 ? x.Item1.CompareTo(y.Item1) : string.CompareOrdinal(x.Item2, y.Item2)));
            stream._expectedWorkers[group.Key] = (newest.Id, ListoEvents.At(newest.At), newest.Person);
        }

        foreach (var person in stream._expectedWorkers.Values.GroupBy(w => w.Person))
        {
            stream._expectedPeople[person.Key] = person.Select(w => w.OccurredAt).Max(StringComparer.Ordinal)!;
        }

        return stream;
    }

    /// <summary>Sends every delivery as Listo does: up to 3 tries each, on non-2xx, connection error or timeout.</summary>
    public async Task<SendResult> SendAsync(WebhookClient gateway, int concurrency, Action<int>? onAck = null)
    {
        var acked = 0;
        var firstTry = 0;
        var failedTries = 0;
        var gaveUp = 0;
        var outcomes = new ConcurrentDictionary<string, int>();
        var ackedIds = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(Deliveries, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (delivery, cancellation) =>
        {
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                    using var response = await gateway.PostAsync(delivery).WaitAsync(timeout.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var outcome = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellation))!["outcome"]!;
                        outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                        if (attempt == 1)
                        {
                            Interlocked.Increment(ref firstTry);
                        }

                        ackedIds.Enqueue((string)delivery["id"]!);

                        // Counted outside the call: "onAck?.Invoke(Increment(...))" skips the increment without a callback.
                        var count = Interlocked.Increment(ref acked);
                        onAck?.Invoke(count);
                        return;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or TimeoutException)
                {
                    // a crashed or restarting gateway: Listo sees a connection error or a timeout and retries
                }

                Interlocked.Increment(ref failedTries);
                if (attempt < 3)
                {
                    await Task.Delay(TimeSpan.FromSeconds(4 * attempt), cancellation); // Listo backs off between tries; compressed here
                }
            }

            Interlocked.Increment(ref gaveUp);
        });
        return new SendResult(acked, firstTry, failedTries, gaveUp, outcomes.ToDictionary(), [.. ackedIds]);
    }

    /// <summary>Reads every worker and person back and compares with what the stream implies.</summary>
    public async Task<int> AssertFinalStateAsync(WebhookClient gateway)
    {
        foreach (var ((client, worker), expected) in _expectedWorkers)
        {
            var (status, body) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
            Assert.True(status == HttpStatusCode.OK, $"worker {client}/{worker}: {(int)status}");
            Assert.True(expected.EventId == body.GetProperty("eventId").GetString(),
                $"worker {client}/{worker}: expected {expected.EventId} at {expected.OccurredAt}, holds {body.GetProperty("eventId").GetString()} at {body.GetProperty("occurredAt").GetString()}");
        }

        foreach (var (person, occurredAt) in _expectedPeople)
        {
            var (status, body) = await gateway.GetAsync($"/v1/people/{person}");
            Assert.True(status == HttpStatusCode.OK, $"person {person}: {(int)status}");
            Assert.Equal(occurredAt, body.GetProperty("occurredAt").GetString());
            Assert.Equal(_expectedWorkers.Count(w => w.Value.Person == person), body.GetProperty("engagements").GetArrayLength());
        }

        return _expectedWorkers.Count + _expectedPeople.Count;
    }

    /// <summary>Every worker and person of the stream as the query API answers it, keyed by path.</summary>
    public async Task<SortedDictionary<string, string>> ReadStateAsync(WebhookClient gateway)
    {
        var paths = _expectedWorkers.Keys.Select(w => $"/v1/clients/{w.Client}/workers/{w.Worker}")
            .Concat(_expectedPeople.Keys.Select(p => $"/v1/people/{p}"))
            .Concat(_expectedWorkers.Keys.Select(w => w.Client).Distinct().Select(c => $"/v1/clients/{c}/workers"));
        var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var (status, body) = await gateway.GetAsync(path);
            state[path] = $"{(int)status} {body}";
        }

        return state;
    }

    /// <summary>What a send did; <see cref="AckedIds"/> are the webhook ids in the order their 200s came.</summary>
    internal sealed record SendResult(int Acked, int FirstTry, int FailedTries, int GaveUp, Dictionary<string, int> Outcomes, IReadOnlyList<string> AckedIds);
}
