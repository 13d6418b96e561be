using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Listo.Orleans.Gateway;
using Listo.Orleans.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Listo.Orleans.Tests.Support;

/// <summary>
/// The real gateway (Kestrel on two loopback ports, co-hosted silo, embedded storage) started in-process,
/// reached over real sockets.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string RotatedSecret = "whsec_dGhlIG5ldyBzZWNyZXQgYWZ0ZXIgcm90YXRpb24=";
    public const string QueryKey = "test-query-key-0123456789";
    public const int MaxBodyBytes = 64 * 1024;

    private WebApplication? _app;

    public StorageFaults Faults { get; } = new();

    public Uri Ingress { get; private set; } = null!;

    public Uri Internal { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        var ingressPort = FreePort();
        var internalPort = FreePort();
        Ingress = new Uri($"http://127.0.0.1:{ingressPort}");
        Internal = new Uri($"http://127.0.0.1:{internalPort}");
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:IngressUrl"] = Ingress.ToString(),
            ["Gateway:InternalUrl"] = Internal.ToString(),
            ["Webhooks:Secrets:0"] = RotatedSecret,
            ["Webhooks:Secrets:1"] = Secret,
            ["Webhooks:MaxBodyBytes"] = MaxBodyBytes.ToString(CultureInfo.InvariantCulture),
            ["Webhooks:ApplyTimeoutSeconds"] = "5",
            ["QueryApi:Keys:0"] = QueryKey,
            ["Orleans:ClusterId"] = "gateway-tests-" + Guid.NewGuid().ToString("N")[..8],
            ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _app = GatewayApp.Create(
            ["--environment", "Development"],
            builder => builder.Configuration.AddInMemoryCollection(settings),
            silo => silo.AddStorageFaults(Faults),
            TextWriter.Null);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Signs <paramref name="envelope"/> as Listo would and posts it to the ingress listener.</summary>
    public Task<HttpResponseMessage> PostAsync(
        JsonNode envelope,
        string? secret = null,
        long? timestamp = null,
        Action<HttpRequestMessage>? tweak = null)
        => PostRawAsync(Encoding.UTF8.GetBytes(envelope.ToJsonString()), (string)envelope["id"]!, secret, timestamp, tweak);

    public Task<HttpResponseMessage> PostRawAsync(byte[] body, string webhookId, string? secret = null, long? timestamp = null, Action<HttpRequestMessage>? tweak = null)
    {
        var ts = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Ingress, "/webhooks/listo")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookVerifier.IdHeader, webhookId);
        request.Headers.TryAddWithoutValidation(WebhookVerifier.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookVerifier.SignatureHeader, WebhookSigner.Sign(secret ?? Secret, webhookId, ts, body));
        tweak?.Invoke(request);
        return Http.SendAsync(request);
    }

    /// <summary>Posts and asserts a 200 with the expected outcome.</summary>
    public async Task DeliverAsync(JsonNode envelope, string expectedOutcome)
    {
        using var response = await PostAsync(envelope);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Delivery {envelope["id"]}: expected 200 {expectedOutcome}, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(expectedOutcome, json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal((string)envelope["id"]!, json.RootElement.GetProperty("id").GetString());
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, string? key = QueryKey, Uri? listener = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(listener ?? Internal, path));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && text[0] is '{' or '[' ? JsonDocument.Parse(text).RootElement.Clone() : JsonSerializer.SerializeToElement(text);
        return (response.StatusCode, body);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
