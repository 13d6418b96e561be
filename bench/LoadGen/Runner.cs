using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Listo.Orleans.Webhooks;

namespace Listo.Bench.LoadGen;

/// <summary>What one run measured.</summary>
internal sealed record RunResult(
    string Name,
    int Deliveries,
    int Reads,
    double Seconds,
    double DeliveriesPerSecond,
    double ReadsPerSecond,
    Percentiles AckLatencyMs,
    Percentiles ReadLatencyMs,
    Dictionary<string, int> Outcomes,
    int Errors,
    string? FirstError,
    int WorkersChecked,
    int Mismatches,
    double TargetRate,
    IReadOnlyList<Window>? Windows);

/// <summary>One second of the schedule (<c>--windows</c>): the deliveries due in it, answered 200 or not, and their p99 ack.</summary>
internal sealed record Window(int Second, int Acks, int Errors, double P99);

internal sealed record Percentiles(double P50, double P90, double P99, double Max)
{
    public static Percentiles Of(List<double> values)
    {
        if (values.Count == 0)
        {
            return new(0, 0, 0, 0);
        }

        values.Sort();
        double At(double q) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1)];
        return new(At(0.50), At(0.90), At(0.99), values[^1]);
    }
}

internal sealed class Runner(Options options, Workload workload) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Math.Max(options.Concurrency, 16) * 2,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    private readonly ConcurrentBag<double> _ackLatency = [];
    private readonly ConcurrentBag<double> _readLatency = [];
    private ConcurrentBag<double> _intervalAcks = [];
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly ConcurrentBag<(long Scheduled, double Latency)> _timeline = [];
    private readonly ConcurrentBag<long> _failedAt = [];
    private long _started;
    private int _errors;
    private string? _firstError;

    public async Task<RunResult> RunAsync()
    {
        // Interleave reads of already-delivered workers with the deliveries, at the configured share.
        var random = new Random(options.Seed + 1);
        var operations = new List<(Delivery? Delivery, int ReadIndex)>(workload.Deliveries.Count * 2);
        var readsPerDelivery = options.ReadShare / (1 - options.ReadShare);
        var readCredit = 0.0;
        foreach (var delivery in workload.Deliveries)
        {
            operations.Add((delivery, -1));
            readCredit += readsPerDelivery;
            for (; readCredit >= 1; readCredit--)
            {
                operations.Add((null, random.Next(workload.Workers.Count)));
            }
        }

        await WaitForStartAsync();
        await HookAsync("start");
        _started = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        using var reporting = new CancellationTokenSource();
        var reporter = options.Interval > 0 ? ReportIntervalsAsync(clock, reporting.Token) : Task.CompletedTask;
        if (options.Rate > 0)
        {
            await OpenLoopAsync(operations);
        }
        else
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < operations.Count)
                {
                    await ExecuteAsync(operations[i], Stopwatch.GetTimestamp());
                }
            }));
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await reporting.CancelAsync();
        await reporter;
        await HookAsync("end");
        var (checkedWorkers, mismatches) = options.Check ? await CheckFinalStateAsync() : (0, 0);

        // Read phase: the state every service queries, at full concurrency, once ingest is done.
        var readSeconds = 0.0;
        if (options.ReadCount > 0)
        {
            _readLatency.Clear();
            var reads = Enumerable.Range(0, options.ReadCount).Select(_ => ((Delivery?)null, random.Next(workload.Workers.Count))).ToList();
            var next = -1;
            var readClock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < reads.Count)
                {
                    await ExecuteAsync(reads[i], Stopwatch.GetTimestamp());
                }
            }));
            readSeconds = readClock.Elapsed.TotalSeconds;
        }

        return new RunResult(
            options.Name, workload.Deliveries.Count, _readLatency.Count, seconds,
            _ackLatency.Count / seconds, readSeconds > 0 ? _readLatency.Count / readSeconds : 0,
            Percentiles.Of([.. _ackLatency]), Percentiles.Of([.. _readLatency]),
            new Dictionary<string, int>(_outcomes), _errors, _firstError, checkedWorkers, mismatches, options.Rate,
            options.Windows ? Windows() : null);
    }

    /// <summary>Per second of the schedule: a stalled second shows its deliveries' whole wait, in the second they were due.</summary>
    private List<Window> Windows()
    {
        int SecondOf(long scheduled) => (int)Stopwatch.GetElapsedTime(_started, scheduled).TotalSeconds;
        var errors = _failedAt.GroupBy(SecondOf).ToDictionary(g => g.Key, g => g.Count());
        var acks = _timeline.GroupBy(t => SecondOf(t.Scheduled)).ToDictionary(g => g.Key, g => g.Select(t => t.Latency).ToList());
        var last = acks.Keys.Concat(errors.Keys).DefaultIfEmpty(-1).Max();
        return [.. Enumerable.Range(0, last + 1).Select(second => acks.TryGetValue(second, out var latencies)
            ? new Window(second, latencies.Count, errors.GetValueOrDefault(second), Percentiles.Of(latencies).P99)
            : new Window(second, 0, errors.GetValueOrDefault(second), 0))];
    }

    /// <summary>Every <c>--interval</c> seconds, the acks of that interval: their rate and p99 (for soak curves).</summary>
    private async Task ReportIntervalsAsync(Stopwatch clock, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Interval));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var acks = Interlocked.Exchange(ref _intervalAcks, []).ToArray();
                Array.Sort(acks);
                var p99 = acks.Length == 0 ? 0 : acks[Math.Min(acks.Length - 1, (int)(acks.Length * 0.99))];
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"interval {clock.Elapsed.TotalSeconds:0} {acks.Length / (double)options.Interval:0} {p99:0.0}"));
            }
        }
        catch (OperationCanceledException)
        {
            // ingest is over
        }
    }

    /// <summary>
    /// With <c>--start-when</c>, polls that URL (through the client the run uses, so its own connection code is warm)
    /// until it answers 2xx: the load starts when a starting server says it is ready, as Kubernetes routes to a pod.
    /// </summary>
    private async Task WaitForStartAsync()
    {
        if (options.StartWhen is not { } url)
        {
            return;
        }

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"{url} did not answer 2xx within 3 minutes");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Runs <c>--hook</c> (e.g. bench/run.sh's cost snapshots) as ingest starts and ends, and waits for it.</summary>
    private async Task HookAsync(string phase)
    {
        if (options.Hook is not { Length: > 0 } hook)
        {
            return;
        }

        using var process = Process.Start(new ProcessStartInfo("sh", ["-c", $"{hook} {phase}"]) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
    }

    /// <summary>Fixed rate: operations start on schedule whatever the responses do; latency counts from the schedule.</summary>
    private async Task OpenLoopAsync(List<(Delivery? Delivery, int ReadIndex)> operations)
    {
        var operationsPerSecond = options.Rate * operations.Count / workload.Deliveries.Count;
        var inFlight = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < operations.Count; i++)
        {
            var due = started + (long)(i / operationsPerSecond * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            inFlight.Add(ExecuteAsync(operations[i], due));
            if (inFlight.Count > 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight);
    }

    private async Task ExecuteAsync((Delivery? Delivery, int ReadIndex) operation, long scheduled)
    {
        try
        {
            if (operation.Delivery is { } delivery)
            {
                await DeliverAsync(delivery, scheduled);
            }
            else
            {
                var (client, worker, _) = workload.Workers[operation.ReadIndex];
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.Reads, $"/v1/clients/{client}/workers/{worker}"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);
                using var response = await _http.SendAsync(request);
                await response.Content.LoadIntoBufferAsync();
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound)
                {
                    _readLatency.Add(Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds);
                }
                else
                {
                    Fail($"read {(int)response.StatusCode}");
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            if (operation.Delivery is not null)
            {
                _failedAt.Add(scheduled);
            }

            Fail(ex.GetType().Name + ": " + ex.Message);
        }
    }

    private async Task DeliverAsync(Delivery delivery, long scheduled)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Ingress, "/webhooks/listo")) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookVerifier.IdHeader, delivery.Id);
        request.Headers.TryAddWithoutValidation(WebhookVerifier.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookVerifier.SignatureHeader, WebhookSigner.Sign(options.Secret, delivery.Id, timestamp, delivery.Body));
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            _failedAt.Add(scheduled);
            Fail($"delivery {delivery.Id}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
            return;
        }

        var latency = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
        _ackLatency.Add(latency);
        if (options.Windows)
        {
            _timeline.Add((scheduled, latency));
        }

        if (options.Interval > 0)
        {
            Volatile.Read(ref _intervalAcks).Add(latency);
        }

        using var json = JsonDocument.Parse(body);
        _outcomes.AddOrUpdate(json.RootElement.GetProperty("outcome").GetString()!, 1, (_, n) => n + 1);
    }

    /// <summary>Reads every worker back; its event id must be the newest the stream implies.</summary>
    private async Task<(int Checked, int Mismatches)> CheckFinalStateAsync()
    {
        var mismatches = 0;
        var expected = workload.ExpectedWorkers.ToList();
        await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (entry, ct) =>
        {
            var ((client, worker), (_, id)) = entry;
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.Reads, $"/v1/clients/{client}/workers/{worker}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);
            using var response = await _http.SendAsync(request, ct);
            var held = response.StatusCode == HttpStatusCode.OK
                ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("eventId").GetString()
                : $"HTTP {(int)response.StatusCode}";
            if (held != id)
            {
                if (Interlocked.Increment(ref mismatches) <= 5)
                {
                    await Console.Error.WriteLineAsync($"mismatch {client}/{worker}: expected {id}, holds {held}");
                }
            }
        });
        return (expected.Count, mismatches);
    }

    public void Dispose() => _http.Dispose();

    private void Fail(string message)
    {
        Interlocked.Increment(ref _errors);
        Interlocked.CompareExchange(ref _firstError, message, null);
    }
}
