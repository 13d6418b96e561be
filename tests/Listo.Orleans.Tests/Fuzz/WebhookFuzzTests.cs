using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Listo.Orleans.Tests.Support;
using Listo.Orleans.Webhooks;
using Xunit.Abstractions;

namespace Listo.Orleans.Tests.Fuzz;

/// <summary>
/// Thousands of generated malformed requests against the real gateway (Development environment, so a leaked
/// exception page would show), signed and unsigned, over raw sockets, with valid deliveries interleaved. Seeded
/// by CsCheck: a failure prints the seed, and <c>CsCheck_Seed=&lt;seed&gt;</c> replays it. <c>LISTO_FUZZ_CASES</c>
/// sets the count (default 5000).
/// </summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class WebhookFuzzTests(GatewayFixture gateway, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private enum Kind { Valid, MutatedBody, WrongType, OddId, DeepNesting, InvalidUtf8, Header, Framing }

    /// <summary>One generated request: its bytes on the wire, whether the sender half-closes after them, and why.</summary>
    private sealed record Case(Kind Kind, string Name, byte[] Request, bool CloseAfterSending, string? ReadBack = null)
    {
        public override string ToString() => $"{Kind} {Name} ({Request.Length} bytes): {Printable(Request)}";
    }

    private static readonly string[] Leaks = ["Exception", "   at ", ".cs:line", "StackTrace", "Listo.Orleans.", "System.", "/work/", "/src/"];

    [Fact]
    public async Task MalformedRequests_GetNo5xx_NoExceptionDetails_AndValidDeliveriesStillApply()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("LISTO_FUZZ_CASES"), CultureInfo.InvariantCulture, out var n) ? n : 5000;
        var statuses = new ConcurrentDictionary<(Kind, string), int>();
        var readBacks = 0;

        await AnyCase().SampleAsync(async c =>
        {
            var response = await RawHttp.SendAsync(gateway.Ingress, c.Request, c.CloseAfterSending, TimeSpan.FromSeconds(20));
            statuses.AddOrUpdate((c.Kind, response.Status?.ToString(CultureInfo.InvariantCulture) ?? "closed"), 1, (_, v) => v + 1);
            Assert.True(response.Status is null or < 500, $"{response.Status} for {c}: {response.Body}");
            Assert.True(response.Status is not null || c.Kind == Kind.Framing, $"no answer for {c}");
            foreach (var leak in Leaks)
            {
                Assert.False(response.Head.Contains(leak, StringComparison.Ordinal) || response.Body.Contains(leak, StringComparison.Ordinal), $"'{leak}' in the answer to {c}: {response.Body}");
            }

            if (c.Kind == Kind.Valid)
            {
                Assert.True(response.Status == 200, $"{response.Status} for a valid delivery: {response.Body}");
                var (status, _) = await gateway.GetAsync(c.ReadBack!);
                Assert.Equal(HttpStatusCode.OK, status);
                Interlocked.Increment(ref readBacks);
            }
        }, iter: cases, threads: 4, writeLine: output.WriteLine);

        var (ready, _) = await gateway.GetAsync("/health/ready", key: null);
        Assert.Equal(HttpStatusCode.OK, ready);
        output.WriteLine($"{statuses.Values.Sum()} requests; valid deliveries read back: {readBacks}");
        foreach (var group in statuses.OrderBy(s => s.Key.Item1).ThenBy(s => s.Key.Item2, StringComparer.Ordinal))
        {
            output.WriteLine($"  {group.Key.Item1,-12} {group.Key.Item2,-7} {group.Value,6}");
        }

        Assert.True(readBacks > cases / 20, $"only {readBacks} valid deliveries were sent");
        Assert.Contains(statuses.Keys, k => k.Item1 == Kind.Framing && k.Item2 == "400");
    }

    private static Gen<Case> AnyCase() => Gen.Frequency(
        (2, Valid()),
        (3, MutatedBody()),
        (3, WrongType()),
        (2, OddId()),
        (1, DeepNesting()),
        (2, InvalidUtf8()),
        (3, Header()),
        (3, Framing()));

    // ---- signed bodies -------------------------------------------------------------------------------------------

    private static Gen<JsonObject> Envelope() => Gen.Int[0, 2].Select(kind =>
    {
        var (client, worker, person, id) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"), ListoEvents.NewId("lglsoevt"));
        return kind == 2
            ? ListoEvents.Client(id, ListoEvents.At(kind), ListoEvents.ClientData(client))
            : ListoEvents.Worker(id, ListoEvents.At(kind), ListoEvents.WorkerData(client, worker, person), kind == 0 ? "worker.onboarded" : "worker.updated");
    });

    private static Gen<Case> Valid() => Envelope().Select(e =>
    {
        var data = e["data"]!;
        var path = e["type"]!.GetValue<string>() == "client.created"
            ? $"/v1/clients/{data["clientId"]}"
            : $"/v1/clients/{data["clientId"]}/workers/{data["workerId"]}";
        return new Case(Kind.Valid, "valid", Signed(Encoding.UTF8.GetBytes(e.ToJsonString()), Id(e)), false, path);
    });

    private static Gen<Case> MutatedBody() => Gen.Select(Envelope(), Gen.Int[1, 8], Gen.Int, Gen.Byte, (e, count, at, value) =>
    {
        var body = Encoding.UTF8.GetBytes(e.ToJsonString());
        var random = new Random(at);
        var how = (count % 4) switch { 0 => "flip", 1 => "truncate", 2 => "delete", _ => "insert" };
        for (var i = 0; i < count && body.Length > 1; i++)
        {
            var p = random.Next(body.Length);
            body = how switch
            {
                "flip" => Set(body, p, value),
                "truncate" => body[..p],
                "delete" => [.. body[..p], .. body[(p + 1)..]],
                _ => [.. body[..p], value, .. body[p..]],
            };
        }

        return new Case(Kind.MutatedBody, how, Signed(body, Id(e)), false);
    });

    private static readonly string[] Fields =
        ["id", "type", "specVersion", "dataVersion", "occurredAt", "entity", "entity.type", "entity.id", "data",
         "data.clientId", "data.workerId", "data.workerProfileId", "data.fullName", "data.name", "data.address", "data.contracts"];

    private static Gen<JsonNode?> WrongValue() => Gen.Int[0, 11].Select(i => i switch
    {
        0 => (JsonNode?)null,
        1 => JsonValue.Create(42),
        2 => JsonValue.Create(-1.5e308),
        3 => JsonValue.Create(true),
        4 => new JsonArray(1, "two", null),
        5 => new JsonObject { ["nested"] = new JsonObject() },
        6 => JsonValue.Create(""),
        7 => JsonValue.Create(new string('x', 10_000)),
        8 => JsonValue.Create("2026-13-45T99:99:99Z"),
        9 => JsonValue.Create(long.MaxValue),
        10 => JsonValue.Create("\u0000\r\n\u202e"),
        _ => new JsonArray(),
    });

    private static Gen<Case> WrongType() => Gen.Select(Envelope(), Gen.Int[0, Fields.Length - 1], WrongValue(), Gen.Bool, (e, f, value, remove) =>
    {
        var field = Fields[f];
        var (parent, name) = field.Contains('.', StringComparison.Ordinal)
            ? ((JsonObject)e[field.Split('.')[0]]!, field.Split('.')[1])
            : (e, field);
        if (remove)
        {
            parent.Remove(name);
        }
        else
        {
            parent[name] = value;
        }

        // The id is kept in step with the header unless the id itself is the field under test.
        var id = field == "id" ? "lglsoevt_fuzz" : Id(e);
        return new Case(Kind.WrongType, Cut($"{field} {(remove ? "removed" : value?.ToJsonString() ?? "null")}", 60), Signed(Encoding.UTF8.GetBytes(e.ToJsonString()), id), false);
    });

    private static readonly string[] OddIds =
        [".", "..", "...", "a/b", "/", "%2F", "a%2Fb", " ", "a b", "\t", "\u0000", "\u2028", "é", "😀", "\ud800", new string('w', 257), new string('w', 256),
         "a?b", "a#b", "\\", "CON", "-", "null", "0", "+", "a\u0301", "lglsowpr_\u202eevil"];

    private static Gen<Case> OddId() => Gen.Select(Envelope(), Gen.Int[0, OddIds.Length - 1], Gen.Int[0, 2], (e, i, which) =>
    {
        var odd = OddIds[i];
        var data = (JsonObject)e["data"]!;
        var field = data.ContainsKey("workerId") ? new[] { "clientId", "workerId", "workerProfileId" }[which] : "clientId";
        data[field] = odd;
        if ((field == "workerId" && data.ContainsKey("workerId")) || (field == "clientId" && !data.ContainsKey("workerId")))
        {
            e["entity"]!["id"] = odd;
        }

        return new Case(Kind.OddId, $"{field}={Cut(Printable(Encoding.UTF8.GetBytes(odd)), 24)}", Signed(Encoding.UTF8.GetBytes(e.ToJsonString()), Id(e)), false);
    });

    private static Gen<Case> DeepNesting() => Gen.Select(Envelope(), Gen.Int[10, 5000], Gen.Bool, (e, depth, arrays) =>
    {
        var text = e.ToJsonString();
        var deep = arrays
            ? string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth))
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + string.Concat(Enumerable.Repeat("}", depth));
        var body = text.Replace("\"futureField\":", "\"deep\":" + deep + ",\"futureField\":", StringComparison.Ordinal)
            .Replace("\"address\":", "\"deep\":" + deep + ",\"address\":", StringComparison.Ordinal);
        return new Case(Kind.DeepNesting, $"depth {depth}", Signed(Encoding.UTF8.GetBytes(body), Id(e)), false);
    });

    private static readonly byte[][] BadUtf8 = [[0xff], [0xc3], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80]];

    private static readonly string[] Utf8Targets = ["\"workerId\":\"", "\"clientId\":\"", "\"fullName\":\"", "\"type\":\"", "\"city\":\"", "\"id\":\""];

    private static Gen<Case> InvalidUtf8() => Gen.Select(Envelope(), Gen.Int[0, BadUtf8.Length - 1], Gen.Int[0, Utf8Targets.Length - 1], (e, b, t) =>
    {
        var text = e.ToJsonString();
        var at = text.IndexOf(Utf8Targets[t], StringComparison.Ordinal);
        at = at < 0 ? text.Length / 2 : at + Utf8Targets[t].Length;
        byte[] body = [.. Encoding.UTF8.GetBytes(text[..at]), .. BadUtf8[b], .. Encoding.UTF8.GetBytes(text[at..])];
        return new Case(Kind.InvalidUtf8, $"{Convert.ToHexString(BadUtf8[b])} in {Utf8Targets[t]}", Signed(body, Id(e)), false);
    });

    // ---- headers -------------------------------------------------------------------------------------------------

    private static readonly string[] HeaderShapes =
        ["no id", "no timestamp", "no signature", "nothing", "id twice", "timestamp twice", "signature twice", "v1, alone", "no comma",
         "huge id", "huge signature", "control byte in id", "latin-1 id", "timestamp fraction", "timestamp negative", "timestamp huge",
         "timestamp hex", "timestamp old", "signature of another body", "signature of another secret", "empty signature", "space id",
         "huge header (40 KB)", "many headers", "header without colon", "obs-fold continuation"];

    private static Gen<Case> Header() => Gen.Select(Envelope(), Gen.Int[0, HeaderShapes.Length - 1], (e, s) =>
    {
        var shape = HeaderShapes[s];
        var body = Encoding.UTF8.GetBytes(e.ToJsonString());
        var id = Id(e);
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var sig = WebhookSigner.Sign(GatewayFixture.Secret, id, long.Parse(ts, CultureInfo.InvariantCulture), body);
        var lines = new List<string> { $"{WebhookVerifier.IdHeader}: {id}", $"{WebhookVerifier.TimestampHeader}: {ts}", $"{WebhookVerifier.SignatureHeader}: {sig}" };
        void Replace(string header, string? value)
        {
            lines.RemoveAll(l => l.StartsWith(header + ":", StringComparison.Ordinal));
            if (value is not null)
            {
                lines.Add($"{header}: {value}");
            }
        }

        switch (shape)
        {
            case "no id": Replace(WebhookVerifier.IdHeader, null); break;
            case "no timestamp": Replace(WebhookVerifier.TimestampHeader, null); break;
            case "no signature": Replace(WebhookVerifier.SignatureHeader, null); break;
            case "nothing": lines.Clear(); break;
            case "id twice": lines.Add($"{WebhookVerifier.IdHeader}: {id}"); break;
            case "timestamp twice": lines.Add($"{WebhookVerifier.TimestampHeader}: {ts}"); break;
            case "signature twice": lines.Add($"{WebhookVerifier.SignatureHeader}: v1,AAAA"); break;
            case "v1, alone": Replace(WebhookVerifier.SignatureHeader, "v1,"); break;
            case "no comma": Replace(WebhookVerifier.SignatureHeader, "v1"); break;
            case "huge id": Replace(WebhookVerifier.IdHeader, new string('i', 5000)); break;
            case "huge signature": Replace(WebhookVerifier.SignatureHeader, string.Join(' ', Enumerable.Repeat(sig[..10], 800))); break;
            case "control byte in id": Replace(WebhookVerifier.IdHeader, id + "\u0001\u007f"); break;
            case "latin-1 id": Replace(WebhookVerifier.IdHeader, id + "\u00e9"); break;
            case "timestamp fraction": Replace(WebhookVerifier.TimestampHeader, ts + ".5"); break;
            case "timestamp negative": Replace(WebhookVerifier.TimestampHeader, "-" + ts); break;
            case "timestamp huge": Replace(WebhookVerifier.TimestampHeader, "99999999999999999999999999"); break;
            case "timestamp hex": Replace(WebhookVerifier.TimestampHeader, "0x6a1b2c3d"); break;
            case "timestamp old": Replace(WebhookVerifier.TimestampHeader, "1000000000"); break;
            case "signature of another body": Replace(WebhookVerifier.SignatureHeader, WebhookSigner.Sign(GatewayFixture.Secret, id, long.Parse(ts, CultureInfo.InvariantCulture), [1, 2, 3])); break;
            case "signature of another secret": Replace(WebhookVerifier.SignatureHeader, WebhookSigner.Sign("whsec_" + Convert.ToBase64String(new byte[32]), id, long.Parse(ts, CultureInfo.InvariantCulture), body)); break;
            case "empty signature": Replace(WebhookVerifier.SignatureHeader, ""); break;
            case "space id": Replace(WebhookVerifier.IdHeader, " "); break;
            case "huge header (40 KB)": lines.Add("x-padding: " + new string('p', 40_000)); break;
            case "many headers": lines.AddRange(Enumerable.Range(0, 200).Select(i => $"x-h{i}: {i}")); break;
            case "header without colon": lines.Add("this-is-not-a-header"); break;
            case "obs-fold continuation": lines.Add(" folded-continuation"); break;
        }

        return new Case(Kind.Header, shape, Request("POST", "/webhooks/listo", [.. lines, "content-type: application/json", $"content-length: {body.Length}"], body), false);
    });

    // ---- framing -------------------------------------------------------------------------------------------------

    private static readonly string[] FramingShapes =
        ["chunk size zz", "chunk size -5", "chunk size overflows", "chunk size with junk", "chunk without CRLF", "chunk longer than said",
         "truncated chunked body", "chunk extension flood", "content-length not a number", "content-length negative", "two content-lengths",
         "content-length and chunked", "content-length over the limit", "body shorter than content-length", "transfer-encoding gzip",
         "no host", "http/1.0", "bad request line", "huge request line", "expect 100-continue", "lf line endings", "null byte in path",
         "huge chunk size"];

    private static Gen<Case> Framing() => Gen.Select(Envelope(), Gen.Int[0, FramingShapes.Length - 1], (e, s) =>
    {
        var shape = FramingShapes[s];
        var body = Encoding.UTF8.GetBytes(e.ToJsonString());
        var id = Id(e);
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signed = new List<string>
        {
            $"{WebhookVerifier.IdHeader}: {id}", $"{WebhookVerifier.TimestampHeader}: {ts}",
            $"{WebhookVerifier.SignatureHeader}: {WebhookSigner.Sign(GatewayFixture.Secret, id, ts, body)}", "content-type: application/json",
        };
        var text = Encoding.UTF8.GetString(body);
        byte[] Chunked(string chunks) => Request("POST", "/webhooks/listo", [.. signed, "transfer-encoding: chunked"], Encoding.UTF8.GetBytes(chunks));
        var hex = body.Length.ToString("x", CultureInfo.InvariantCulture);
        var (request, close) = shape switch
        {
            "chunk size zz" => (Chunked($"zz\r\n{text}\r\n0\r\n\r\n"), false),
            "chunk size -5" => (Chunked($"-5\r\n{text}\r\n0\r\n\r\n"), false),
            "chunk size overflows" => (Chunked($"ffffffffffffffffffff\r\n{text}\r\n0\r\n\r\n"), false),
            "huge chunk size" => (Chunked($"7fffffff\r\n{text}\r\n0\r\n\r\n"), true),
            "chunk size with junk" => (Chunked($"{hex}xyz\r\n{text}\r\n0\r\n\r\n"), false),
            "chunk without CRLF" => (Chunked($"{hex}\r\n{text}0\r\n\r\n"), false),
            "chunk longer than said" => (Chunked($"5\r\n{text}\r\n0\r\n\r\n"), false),
            "truncated chunked body" => (Chunked($"{hex}\r\n{text[..(text.Length / 2)]}"), true),
            "chunk extension flood" => (Chunked($"{hex};{new string('e', 20_000)}\r\n{text}\r\n0\r\n\r\n"), false),
            "content-length not a number" => (Request("POST", "/webhooks/listo", [.. signed, "content-length: ten"], body), false),
            "content-length negative" => (Request("POST", "/webhooks/listo", [.. signed, "content-length: -1"], body), false),
            "two content-lengths" => (Request("POST", "/webhooks/listo", [.. signed, $"content-length: {body.Length}", $"content-length: {body.Length + 1}"], body), false),
            "content-length and chunked" => (Request("POST", "/webhooks/listo", [.. signed, $"content-length: {body.Length}", "transfer-encoding: chunked"], Encoding.UTF8.GetBytes($"{hex}\r\n{text}\r\n0\r\n\r\n")), false),
            "content-length over the limit" => (Request("POST", "/webhooks/listo", [.. signed, "content-length: 999999999"], body), true),
            "body shorter than content-length" => (Request("POST", "/webhooks/listo", [.. signed, $"content-length: {body.Length + 100}"], body), true),
            "transfer-encoding gzip" => (Request("POST", "/webhooks/listo", [.. signed, "transfer-encoding: gzip"], body), true),
            "no host" => (Encoding.ASCII.GetBytes($"POST /webhooks/listo HTTP/1.1\r\n{string.Join("\r\n", signed)}\r\ncontent-length: {body.Length}\r\nconnection: close\r\n\r\n").Concat(body).ToArray(), false),
            "http/1.0" => (Encoding.ASCII.GetBytes($"POST /webhooks/listo HTTP/1.0\r\nhost: x\r\n{string.Join("\r\n", signed)}\r\ncontent-length: {body.Length}\r\n\r\n").Concat(body).ToArray(), false),
            "bad request line" => (Encoding.ASCII.GetBytes("POST\t/webhooks/listo  HTTP/9.9\r\nhost: x\r\n\r\n"), false),
            "huge request line" => (Encoding.ASCII.GetBytes($"POST /webhooks/listo?{new string('q', 40_000)} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"), false),
            "expect 100-continue" => (Request("POST", "/webhooks/listo", [.. signed, "expect: 100-continue", $"content-length: {body.Length}"], body), false),
            "lf line endings" => (Encoding.ASCII.GetBytes($"POST /webhooks/listo HTTP/1.1\nhost: x\n{string.Join("\n", signed)}\ncontent-length: {body.Length}\nconnection: close\n\n").Concat(body).ToArray(), false),
            _ => (Encoding.ASCII.GetBytes("POST /webhooks/\0listo HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"), false),
        };
        return new Case(Kind.Framing, shape, request, close);
    });

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];

    private static string Id(JsonObject envelope) => envelope["id"]!.GetValue<string>();

    private static byte[] Signed(byte[] body, string id)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Request("POST", "/webhooks/listo",
            [$"{WebhookVerifier.IdHeader}: {id}", $"{WebhookVerifier.TimestampHeader}: {ts}",
             $"{WebhookVerifier.SignatureHeader}: {WebhookSigner.Sign(GatewayFixture.Secret, id, ts, body)}",
             "content-type: application/json", $"content-length: {body.Length}"], body);
    }

    private static byte[] Request(string method, string path, IEnumerable<string> headers, byte[] body)
        => [.. Encoding.Latin1.GetBytes($"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n{string.Join("\r\n", headers)}\r\n\r\n"), .. body];

    private static byte[] Set(byte[] bytes, int at, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] = value;
        return copy;
    }

    private static string Printable(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes, 0, Math.Min(bytes.Length, 300));
        return string.Concat(text.Select(c => c is >= ' ' and < '\u007f' ? c.ToString() : $"\\x{(int)c:x2}"));
    }
}
