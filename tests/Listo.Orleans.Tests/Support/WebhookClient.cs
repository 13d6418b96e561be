using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Listo.Orleans.Webhooks;

namespace Listo.Orleans.Tests.Support;

/// <summary>Talks to one gateway as Listo (signed deliveries on ingress) and as a reader (/v1 on internal).</summary>
public class WebhookClient
{
    public Uri Ingress { get; protected set; } = null!;

    public Uri Internal { get; protected set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

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
        request.Headers.TryAddWithoutValidation(WebhookVerifier.SignatureHeader, WebhookSigner.Sign(secret ?? GatewayFixture.Secret, webhookId, ts, body));
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

    /// <summary>Every journaled delivery matching <paramref name="query"/>, by id, read page by page from GET /v1/deliveries.</summary>
    public async Task<SortedDictionary<string, JsonElement>> ReadJournalAsync(string query = "")
    {
        var all = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var (status, page) = await GetAsync($"/v1/deliveries?{query}&limit=1000{(after is null ? "" : $"&after={after}")}");
            Assert.True(status == HttpStatusCode.OK, page.ToString());
            foreach (var delivery in page.GetProperty("deliveries").EnumerateArray())
            {
                all[delivery.GetProperty("id").GetString()!] = delivery.Clone();
            }

            after = page.TryGetProperty("next", out var next) ? next.GetString() : null;
        }
        while (after is not null);
        return all;
    }

    /// <summary>Every journaled delivery's outcome, by id.</summary>
    public async Task<SortedDictionary<string, string>> ReadJournalOutcomesAsync()
        => new((await ReadJournalAsync()).ToDictionary(d => d.Key, d => d.Value.GetProperty("outcome").GetString()!), StringComparer.Ordinal);

    public Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, string? key = GatewayFixture.QueryKey, Uri? listener = null)
        => SendQueryAsync(HttpMethod.Get, path, key, listener);

    /// <summary>A <c>POST</c> with no body on the query API (a refresh).</summary>
    public Task<(HttpStatusCode Status, JsonElement Body)> PostQueryAsync(string path, string? key = GatewayFixture.QueryKey)
        => SendQueryAsync(HttpMethod.Post, path, key, null);

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendQueryAsync(HttpMethod method, string path, string? key, Uri? listener)
    {
        using var request = new HttpRequestMessage(method, new Uri(listener ?? Internal, path));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && text[0] is '{' or '[' ? JsonDocument.Parse(text).RootElement.Clone() : JsonSerializer.SerializeToElement(text);
        return (response.StatusCode, body);
    }

}
