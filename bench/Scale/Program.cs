using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Listo.Orleans.Webhooks;

namespace Listo.Bench.Scale;

/// <summary>
/// The scale run's driver (bench/scale.sh). Worker <c>i</c> of a run is a first-time worker with a person of its own,
/// at client <c>i % clients</c>; every id is derived from the run tag and <c>i</c>, so the driver holds no population
/// and a later process (after a restart) can read or check any of it.
///   ingest --from F --count N   sends workers F..F+N-1 once each (the clients first when F is 0), full speed
///   reads --count N --population P   N reads of random workers below P, one at a time (latency, not throughput)
///   check --sample N --population P  N random workers: the worker holds its event, the person its engagement
/// A 503 is retried after its Retry-After, as Listo would; how many were is reported. Prints one JSON line.
/// </summary>
internal static class Program
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task<int> Main(string[] args)
    {
        Args o;
        try
        {
            o = Args.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message + Environment.NewLine + Args.Usage);
            return 2;
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        var driver = new Driver(o, http);
        var result = o.Command switch
        {
            "ingest" => await driver.IngestAsync(),
            "reads" => await driver.ReadsAsync(),
            "check" => await driver.CheckAsync(),
            _ => throw new InvalidOperationException(),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return result.TryGetValue("errors", out var errors) && Convert.ToInt64(errors, CultureInfo.InvariantCulture) > 0 ? 1 : 0;
    }

    private sealed class Driver(Args o, HttpClient http)
    {
        private long _retries;
        private long _errors;
        private string? _firstError;

        private string Client(long i) => $"lglsocli_{o.Tag}c{i % o.Clients:D4}";

        private string Worker(long i) => $"lglsowpr_{o.Tag}w{i:D8}";

        private string Person(long i) => $"lglsowpf_{o.Tag}p{i:D8}";

        private string Event(long i) => $"lglsoevt_{o.Tag}e{i:D8}";

        public async Task<Dictionary<string, object>> IngestAsync()
        {
            if (o.From == 0)
            {
                for (var c = 0; c < Math.Min(o.Clients, o.Count); c++)
                {
                    await DeliverAsync($"lglsoevt_{o.Tag}k{c:D4}", ClientBody(c));
                }
            }

            var latencies = new double[o.Count];
            var next = -1L;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, o.Concurrency).Select(async _ =>
            {
                long n;
                while ((n = Interlocked.Increment(ref next)) < o.Count)
                {
                    var i = o.From + n;
                    var started = Stopwatch.GetTimestamp();
                    await DeliverAsync(Event(i), WorkerBody(i));
                    latencies[n] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            }));
            var seconds = clock.Elapsed.TotalSeconds;
            Array.Sort(latencies);
            return new()
            {
                ["from"] = o.From,
                ["count"] = o.Count,
                ["seconds"] = Math.Round(seconds, 2),
                ["perSecond"] = Math.Round(o.Count / seconds),
                ["p50Ms"] = Math.Round(At(latencies, 0.50), 1),
                ["p99Ms"] = Math.Round(At(latencies, 0.99), 1),
                ["maxMs"] = Math.Round(latencies[^1], 1),
                ["retried503"] = _retries,
                ["errors"] = _errors,
                ["firstError"] = _firstError ?? "",
            };
        }

        public async Task<Dictionary<string, object>> ReadsAsync()
        {
            var random = new Random(o.Seed);
            var latencies = new List<double>(o.Count);
            for (var n = 0; n < o.Count; n++)
            {
                var i = random.NextInt64(o.Population);
                var started = Stopwatch.GetTimestamp();
                var (status, _) = await GetAsync($"/v1/clients/{Client(i)}/workers/{Worker(i)}");
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (status != HttpStatusCode.OK)
                {
                    Fail($"read of worker {i}: {(int)status}");
                }
            }

            var sorted = latencies.Order().ToArray();
            return new()
            {
                ["reads"] = o.Count,
                ["p50Ms"] = Math.Round(At(sorted, 0.50), 2),
                ["p99Ms"] = Math.Round(At(sorted, 0.99), 2),
                ["maxMs"] = Math.Round(sorted[^1], 2),
                ["errors"] = _errors,
                ["firstError"] = _firstError ?? "",
            };
        }

        public async Task<Dictionary<string, object>> CheckAsync()
        {
            var random = new Random(o.Seed + 1);
            var sample = Enumerable.Range(0, o.Count).Select(_ => random.NextInt64(o.Population)).Distinct().ToList();
            var mismatches = 0L;
            await Parallel.ForEachAsync(sample, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                var (status, worker) = await GetAsync($"/v1/clients/{Client(i)}/workers/{Worker(i)}");
                var workerRight = status == HttpStatusCode.OK
                    && worker!.RootElement.GetProperty("eventId").GetString() == Event(i)
                    && worker.RootElement.GetProperty("snapshot").GetProperty("email").GetString() == Email(i);
                var (personStatus, person) = await GetAsync($"/v1/people/{Person(i)}");
                var personRight = personStatus == HttpStatusCode.OK
                    && person!.RootElement.GetProperty("profile").GetProperty("email").GetString() == Email(i)
                    && person.RootElement.GetProperty("engagements").EnumerateArray().Any(e => e.GetProperty("workerId").GetString() == Worker(i));
                if (!workerRight || !personRight)
                {
                    if (Interlocked.Increment(ref mismatches) <= 5)
                    {
                        await Console.Error.WriteLineAsync($"mismatch at worker {i}: worker {(int)status} right={workerRight}, person {(int)personStatus} right={personRight}");
                    }
                }
            });
            return new() { ["checked"] = sample.Count, ["mismatches"] = mismatches, ["errors"] = mismatches };
        }

        private async Task DeliverAsync(string id, byte[] body)
        {
            for (var attempt = 1; ; attempt++)
            {
                var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(o.Ingress, "/webhooks/listo")) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.TryAddWithoutValidation(WebhookVerifier.IdHeader, id);
                request.Headers.TryAddWithoutValidation(WebhookVerifier.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
                request.Headers.TryAddWithoutValidation(WebhookVerifier.SignatureHeader, WebhookSigner.Sign(o.Secret, id, timestamp, body));
                try
                {
                    using var response = await http.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }

                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < o.Attempts)
                    {
                        Interlocked.Increment(ref _retries);
                        await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                        continue;
                    }

                    Fail($"delivery {id}: {(int)response.StatusCode} {text}");
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException or IOException)
                {
                    // The gateway went away (a crash is what this run looks for): the delivery is not acknowledged.
                    Fail($"delivery {id}: {ex.GetType().Name}: {ex.Message}");
                    return;
                }
            }
        }

        private async Task<(HttpStatusCode Status, JsonDocument? Body)> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(o.Internal, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", o.Key);
            try
            {
                using var response = await http.SendAsync(request);
                var bytes = await response.Content.ReadAsByteArrayAsync();
                return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(bytes) : null);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException or IOException)
            {
                Fail($"GET {path}: {ex.GetType().Name}: {ex.Message}");
                return (0, null);
            }
        }

        private void Fail(string message)
        {
            Interlocked.Increment(ref _errors);
            Interlocked.CompareExchange(ref _firstError, message, null);
        }

        private static string Email(long i) => $"person{i}@example.com";

        private byte[] ClientBody(int c)
        {
            var client = Client(c);
            var data = $$$"""{"clientId":"{{{client}}}","name":"Client {{{c}}}","address":{"address1":"Emile Bypass","address2":null,"city":"Horaciofort","isoCountryCode":"ET","postalCode":"61092-4164","zoneCode":null},"links":{"self":"/v2/instance-integrations/inst_abc123xyz/clients/{{{client}}}"}}""";
            return Envelope($"lglsoevt_{o.Tag}k{c:D4}", "client.created", Start, "client", client, data);
        }

        private byte[] WorkerBody(long i)
        {
            var (client, worker, person) = (Client(i), Worker(i), Person(i));
            var data = $$$"""{"clientId":"{{{client}}}","workerId":"{{{worker}}}","workerProfileId":"{{{person}}}","email":"{{{Email(i)}}}","firstName":"Alex","lastName":"Kim{{{i}}}","fullName":"Alex Kim{{{i}}}","phone":"+12025550100","dateOfBirth":"1992-08-14","address":{"address1":"742 Evergreen Terrace","address2":"Apt 3","city":"City {{{i % 997}}}","isoCountryCode":"US","postalCode":"97402","zoneCode":"OR"},"organizationUnit":{"id":"lglsoorgu_uVwPa92qXz","name":"Engineering"},"organizationLocation":{"id":"lglsoorgl_uTpQa83jYx","name":"Springfield HQ"},"contracts":[{"id":"lglsoctc_{{{i:D12}}}","clientId":"{{{client}}}","name":"Alex Kim{{{i}}} — Senior Engineer","status":"EXECUTED","billingFrequency":"MONTHLY","isoCountryCode":"US","jobTitle":"Senior Engineer","startDate":"2026-05-02","contractEndDate":null,"createdAt":"2026-04-28T17:09:11.000Z","engagementType":"EOR","managerId":"lglsousr_uXYZxLtq9ABvCdEf2"}],"links":{"self":"/v2/instance-integrations/inst_abc123xyz/clients/{{{client}}}/workers/{{{worker}}}"}}""";
            return Envelope(Event(i), "worker.onboarded", Start.AddMilliseconds(i), "worker", worker, data);
        }

        private static byte[] Envelope(string id, string type, DateTimeOffset at, string entityType, string entityId, string data)
            => Encoding.UTF8.GetBytes($$$"""{"id":"{{{id}}}","type":"{{{type}}}","specVersion":1,"dataVersion":1,"occurredAt":"{{{at.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}}}","entity":{"type":"{{{entityType}}}","id":"{{{entityId}}}"},"data":""" + data + "}");

        private static double At(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }

    private sealed class Args
    {
        public string Command { get; private set; } = "";
        public Uri Ingress { get; private set; } = new("http://127.0.0.1:5080");
        public Uri Internal { get; private set; } = new("http://127.0.0.1:5081");
        public string Secret { get; private set; } = "";
        public string Key { get; private set; } = "";
        public string Tag { get; private set; } = "s";
        public int Clients { get; private set; } = 50;
        public int Concurrency { get; private set; } = 32;
        public long From { get; private set; }
        public int Count { get; private set; } = 10_000;
        public long Population { get; private set; }
        public int Attempts { get; private set; } = 10;
        public int Seed { get; private set; } = 1;

        public const string Usage = """
            listo-scale ingest --from F --count N | reads --count N --population P | check --count N --population P
                        --ingress URL --internal URL --secret whsec_… --key KEY [--tag s] [--clients 50] [--concurrency 32]
                        [--attempts 10 (tries of one delivery while it is answered 503)] [--seed 1]
            """;

        public static Args Parse(string[] args)
        {
            if (args.Length == 0 || args[0] is not ("ingest" or "reads" or "check"))
            {
                throw new ArgumentException("a command is required: ingest, reads or check");
            }

            var o = new Args { Command = args[0] };
            for (var i = 1; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                long Number() => long.Parse(Next(), CultureInfo.InvariantCulture);
                switch (args[i])
                {
                    case "--ingress": o.Ingress = new Uri(Next()); break;
                    case "--internal": o.Internal = new Uri(Next()); break;
                    case "--secret": o.Secret = Next(); break;
                    case "--key": o.Key = Next(); break;
                    case "--tag": o.Tag = Next(); break;
                    case "--clients": o.Clients = (int)Number(); break;
                    case "--concurrency": o.Concurrency = (int)Number(); break;
                    case "--from": o.From = Number(); break;
                    case "--count": o.Count = (int)Number(); break;
                    case "--population": o.Population = Number(); break;
                    case "--attempts": o.Attempts = (int)Number(); break;
                    case "--seed": o.Seed = (int)Number(); break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }

            if (o.Secret.Length == 0 && o.Command == "ingest" || o.Key.Length == 0 && o.Command != "ingest")
            {
                throw new ArgumentException("ingest needs --secret; reads and check need --key");
            }

            if (o.Command != "ingest" && o.Population <= 0)
            {
                throw new ArgumentException("--population is required for reads and check");
            }

            return o;
        }
    }
}
