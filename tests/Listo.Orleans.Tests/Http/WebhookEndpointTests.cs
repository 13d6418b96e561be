using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Listo.Orleans.Grains;
using Listo.Orleans.Tests.Support;
using Listo.Orleans.Webhooks;

namespace Listo.Orleans.Tests.Http;

/// <summary>Every row of API.md's status table, against the real gateway over loopback sockets.</summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class WebhookEndpointTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Applied_Duplicate_Stale_AndTheStateTheyLeave()
    {
        var (client, worker, person) = Ids();
        var newer = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(20), ListoEvents.WorkerData(client, worker, person, city: "Shelbyville"));
        var older = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(10), ListoEvents.WorkerData(client, worker, person, city: "Springfield"));

        await gateway.DeliverAsync(newer, "applied");
        await gateway.DeliverAsync(newer, "duplicate");
        await gateway.DeliverAsync(older, "stale");

        var (status, body) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Shelbyville", body.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
        Assert.Equal((string)newer["id"]!, body.GetProperty("eventId").GetString());
    }

    [Theory]
    [InlineData("worker.deleted", 1)]
    [InlineData("worker.updated", 2)]
    public async Task UnknownTypeOrDataVersion_IsIgnored_AndChangesNothing(string type, int dataVersion)
    {
        var (client, worker, person) = Ids();
        var envelope = ListoEvents.Envelope(ListoEvents.NewId("lglsoevt"), type, ListoEvents.At(0), "worker", worker, ListoEvents.WorkerData(client, worker, person), dataVersion);

        await gateway.DeliverAsync(envelope, "ignored");

        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}")).Status);
    }

    public static TheoryData<string, string[]> MissingHeaderCases => new()
    {
        { "no webhook-id", [WebhookVerifier.IdHeader] },
        { "no webhook-timestamp", [WebhookVerifier.TimestampHeader] },
        { "no webhook-signature", [WebhookVerifier.SignatureHeader] },
        { "no webhook headers at all", [WebhookVerifier.IdHeader, WebhookVerifier.TimestampHeader, WebhookVerifier.SignatureHeader] },
    };

    [Theory]
    [MemberData(nameof(MissingHeaderCases))]
    public async Task MissingHeader_Is400(string name, string[] removed)
    {
        using var response = await gateway.PostAsync(AnyWorkerEvent(), tweak: r =>
        {
            foreach (var header in removed)
            {
                r.Headers.Remove(header);
            }
        });
        await AssertProblem(response, HttpStatusCode.BadRequest, name);
    }

    [Theory]
    [InlineData(WebhookVerifier.TimestampHeader, "not-a-number")]
    [InlineData(WebhookVerifier.IdHeader, "msg 1")]
    public async Task MalformedHeader_Is400(string header, string value)
    {
        using var response = await gateway.PostAsync(AnyWorkerEvent(), tweak: r =>
        {
            r.Headers.Remove(header);
            r.Headers.TryAddWithoutValidation(header, value);
        });
        await AssertProblem(response, HttpStatusCode.BadRequest, header);
    }

    [Fact]
    public async Task WrongSecret_Is401_AndNeverEchoesTheSecret()
    {
        var wrong = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("definitely not the configured key"));
        using var response = await gateway.PostAsync(AnyWorkerEvent(), secret: wrong);
        var body = await AssertProblem(response, HttpStatusCode.Unauthorized, "wrong secret");
        Assert.DoesNotContain(GatewayFixture.Secret[6..], body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(+301)]
    public async Task TimestampOutsideTolerance_Is401(int skewSeconds)
    {
        using var response = await gateway.PostAsync(AnyWorkerEvent(), timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() + skewSeconds);
        await AssertProblem(response, HttpStatusCode.Unauthorized, $"skew {skewSeconds}");
    }

    [Fact]
    public async Task TamperedBody_Is401()
    {
        var envelope = AnyWorkerEvent();
        var signedBody = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = WebhookSigner.Sign(GatewayFixture.Secret, (string)envelope["id"]!, ts, signedBody);
        var tampered = Encoding.UTF8.GetBytes(envelope.ToJsonString().Replace("Springfield", "Springfielf", StringComparison.Ordinal));

        using var response = await gateway.PostRawAsync(tampered, (string)envelope["id"]!, timestamp: ts, tweak: WithSignatures(signature));
        await AssertProblem(response, HttpStatusCode.Unauthorized, "tampered body");
    }

    [Fact]
    public async Task RotatedSecrets_BothVerify_AndSeveralSignaturesInOneHeaderAreTried()
    {
        await gateway.DeliverAsync(AnyWorkerEvent(), "applied"); // signed with the older secret (second configured)
        using (var rotated = await gateway.PostAsync(AnyWorkerEvent(), secret: GatewayFixture.RotatedSecret))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        var envelope = AnyWorkerEvent();
        var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var valid = WebhookSigner.Sign(GatewayFixture.Secret, (string)envelope["id"]!, ts, body);
        using var several = await gateway.PostRawAsync(body, (string)envelope["id"]!, timestamp: ts, tweak: WithSignatures($"v1a,{valid[3..]} v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= {valid}"));
        Assert.Equal(HttpStatusCode.OK, several.StatusCode);
    }

    [Theory]
    [InlineData("v1,")]
    [InlineData("v1")]
    [InlineData("garbage-without-a-version")]
    public async Task UnparseableSignatureEntry_CountsAsNoMatch_401(string signature)
    {
        using var response = await gateway.PostAsync(AnyWorkerEvent(), tweak: WithSignatures(signature));
        await AssertProblem(response, HttpStatusCode.Unauthorized, signature);
    }

    [Fact]
    public async Task TwoSignatureHeaderLines_AreOneCombinedList()
    {
        var envelope = AnyWorkerEvent();
        var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var valid = WebhookSigner.Sign(GatewayFixture.Secret, (string)envelope["id"]!, ts, body);
        using var response = await gateway.PostRawAsync(body, (string)envelope["id"]!, timestamp: ts, tweak: WithSignatures(["v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", valid]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(WebhookVerifier.IdHeader)]
    [InlineData(WebhookVerifier.TimestampHeader)]
    public async Task TheIdOrTimestampHeaderSentTwice_Is400(string header)
    {
        using var response = await gateway.PostAsync(AnyWorkerEvent(), tweak: r =>
        {
            var value = r.Headers.GetValues(header).Single();
            r.Headers.Remove(header);
            r.Headers.TryAddWithoutValidation(header, [value, value]);
        });
        await AssertProblem(response, HttpStatusCode.BadRequest, header + " twice");
    }

    [Theory]
    [InlineData(".", "worker")]
    [InlineData("..", "worker")]
    [InlineData(".", "client")]
    [InlineData("..", "person")]
    public async Task DotIds_CannotBeReadBackThroughAPath_SoTheyAre400(string id, string which)
    {
        var (client, worker, person) = Ids();
        var data = ListoEvents.WorkerData(client, worker, person);
        data[which switch { "worker" => "workerId", "client" => "clientId", _ => "workerProfileId" }] = id;
        var eventId = ListoEvents.NewId("lglsoevt");
        var envelope = ListoEvents.Envelope(eventId, "worker.updated", ListoEvents.At(0), "worker", (string)data["workerId"]!, data);
        using var response = await gateway.PostAsync(envelope);
        var body = await AssertProblem(response, HttpStatusCode.BadRequest, $"{which} id '{id}'");
        Assert.Contains("invalid-envelope", body, StringComparison.Ordinal);
        var (_, journaled) = await gateway.GetAsync($"/v1/deliveries/{eventId}");
        Assert.Equal("quarantined", journaled.GetProperty("outcome").GetString());
    }

    public static TheoryData<string, string> InvalidBodyCases => new()
    {
        { "not JSON", "this is not json" },
        { "a JSON array", "[1,2,3]" },
        { "envelope without data", """{"id":"{ID}","type":"worker.updated","specVersion":1,"dataVersion":1,"occurredAt":"2026-05-03T12:10:00.231Z","entity":{"type":"worker","id":"w"}}""" },
        { "envelope without occurredAt", """{"id":"{ID}","type":"worker.updated","specVersion":1,"dataVersion":1,"entity":{"type":"worker","id":"w"},"data":{}}""" },
        { "occurredAt without an offset", """{"id":"{ID}","type":"worker.updated","specVersion":1,"dataVersion":1,"occurredAt":"2026-05-03T12:10:00.231","entity":{"type":"worker","id":"w"},"data":{"clientId":"c","workerId":"w","workerProfileId":"p"}}""" },
        { "id differs from webhook-id", """{"id":"lglsoevt_other","type":"worker.updated","specVersion":1,"dataVersion":1,"occurredAt":"2026-05-03T12:10:00.231Z","entity":{"type":"worker","id":"w"},"data":{"clientId":"c","workerId":"w","workerProfileId":"p"}}""" },
        { "entity.id differs from data.workerId", """{"id":"{ID}","type":"worker.updated","specVersion":1,"dataVersion":1,"occurredAt":"2026-05-03T12:10:00.231Z","entity":{"type":"worker","id":"w1"},"data":{"clientId":"c","workerId":"w2","workerProfileId":"p"}}""" },
        { "entity.id differs from data.clientId", """{"id":"{ID}","type":"client.created","specVersion":1,"dataVersion":1,"occurredAt":"2026-05-03T12:10:00.231Z","entity":{"type":"client","id":"c1"},"data":{"clientId":"c2","name":"n"}}""" },
        { "worker without workerProfileId", """{"id":"{ID}","type":"worker.onboarded","specVersion":1,"dataVersion":1,"occurredAt":"2026-05-03T12:10:00.231Z","entity":{"type":"worker","id":"w"},"data":{"clientId":"c","workerId":"w"}}""" },
        { "worker id with a slash", """{"id":"{ID}","type":"worker.updated","specVersion":1,"dataVersion":1,"occurredAt":"2026-05-03T12:10:00.231Z","entity":{"type":"worker","id":"a/b"},"data":{"clientId":"c","workerId":"a/b","workerProfileId":"p"}}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodyCases))]
    public async Task AuthenticButInvalidBody_Is400_WithADetail(string name, string template)
    {
        var id = ListoEvents.NewId("lglsoevt");
        using var response = await gateway.PostRawAsync(Encoding.UTF8.GetBytes(template.Replace("{ID}", id, StringComparison.Ordinal)), id);
        var body = await AssertProblem(response, HttpStatusCode.BadRequest, name);
        Assert.Contains("\"detail\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413_WithContentLength()
    {
        using var response = await gateway.PostRawAsync(new byte[GatewayFixture.MaxBodyBytes + 1], ListoEvents.NewId("lglsoevt"));
        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "content-length over the limit");
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413_WhenChunked()
    {
        var id = ListoEvents.NewId("lglsoevt");
        var body = new byte[GatewayFixture.MaxBodyBytes * 3];
        using var response = await gateway.PostRawAsync(body, id, tweak: r => r.Content = new StreamContent(new MemoryStream(body)) { Headers = { ContentLength = null } });
        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "chunked body over the limit");
    }

    [Fact]
    public async Task StorageRefusingTheWrite_Is503WithRetryAfter_AndTheRetrySucceeds()
    {
        var (client, worker, person) = Ids();
        var envelope = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(0), ListoEvents.WorkerData(client, worker, person));
        gateway.Faults.FailWrites(StateNames.Worker, GrainKeys.Worker(client, worker));

        using (var response = await gateway.PostAsync(envelope))
        {
            await AssertProblem(response, HttpStatusCode.ServiceUnavailable, "storage fault");
            Assert.True(response.Headers.RetryAfter is not null, "503 must carry Retry-After");
        }

        await gateway.DeliverAsync(envelope, "applied");
    }

    [Fact]
    public async Task FailureAfterTheWorkerWrite_Is503_AndTheDuplicateRetryCompletesThePerson()
    {
        var (client, worker, person) = Ids();
        var envelope = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(0), ListoEvents.WorkerData(client, worker, person, city: "North Haverbrook"));
        gateway.Faults.FailWrites(StateNames.Person, GrainKeys.Person(person));

        using (var response = await gateway.PostAsync(envelope))
        {
            await AssertProblem(response, HttpStatusCode.ServiceUnavailable, "person write fault");
        }

        await gateway.DeliverAsync(envelope, "duplicate");
        var (status, body) = await gateway.GetAsync($"/v1/people/{person}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("North Haverbrook", body.GetProperty("profile").GetProperty("address").GetProperty("city").GetString());
    }

    /// <summary>Replaces the signature header with <paramref name="lines"/> (one header line each).</summary>
    private static Action<HttpRequestMessage> WithSignatures(params string[] lines) => r =>
    {
        r.Headers.Remove(WebhookVerifier.SignatureHeader);
        r.Headers.TryAddWithoutValidation(WebhookVerifier.SignatureHeader, lines);
    };

    private static JsonObject AnyWorkerEvent()
    {
        var (client, worker, person) = Ids();
        return ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(0), ListoEvents.WorkerData(client, worker, person));
    }

    private static (string Client, string Worker, string Person) Ids()
        => (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));

    internal static async Task<string> AssertProblem(HttpResponseMessage response, HttpStatusCode expected, string because)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{because}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal((int)expected, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("title").GetString()), because);
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("type").GetString()), because);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        return body;
    }
}
