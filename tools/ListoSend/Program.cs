using System.Net.Http.Headers;
using System.Text.Json;
using Listo.Orleans.Webhooks;

// listo-send: posts a Listo event the way Listo does (Standard Webhooks headers, webhook-id = envelope id).
const string Usage = """
    usage: listo-send --secret <whsec_...> [--url <url>] [--timestamp <unix seconds>] <event.json>
      --secret      signing secret (or set LISTO_WEBHOOK_SECRET)
      --url         default http://127.0.0.1:5080/webhooks/listo
      --timestamp   webhook-timestamp to sign with (default: now)
    """;

string? secret = Environment.GetEnvironmentVariable("LISTO_WEBHOOK_SECRET");
var url = "http://127.0.0.1:5080/webhooks/listo";
long? timestamp = null;
string? file = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--secret" when i + 1 < args.Length: secret = args[++i]; break;
        case "--url" when i + 1 < args.Length: url = args[++i]; break;
        case "--timestamp" when i + 1 < args.Length && long.TryParse(args[i + 1], out var t): timestamp = t; i++; break;
        case "-h" or "--help": Console.WriteLine(Usage); return 0;
        default:
            if (args[i].StartsWith("--", StringComparison.Ordinal) || file is not null)
            {
                Console.Error.WriteLine($"listo-send: unexpected argument '{args[i]}'.\n{Usage}");
                return 2;
            }

            file = args[i];
            break;
    }
}

if (file is null || string.IsNullOrWhiteSpace(secret))
{
    Console.Error.WriteLine($"listo-send: {(file is null ? "an event file" : "a secret")} is required.\n{Usage}");
    return 2;
}

byte[] body;
string id;
try
{
    body = await File.ReadAllBytesAsync(file);
    using var envelope = JsonDocument.Parse(body);
    id = envelope.RootElement.GetProperty("id").GetString() ?? throw new KeyNotFoundException();
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
{
    Console.Error.WriteLine($"listo-send: {file} is not a readable Listo event with a string \"id\": {ex.Message}");
    return 2;
}

var signedAt = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
string signature;
try
{
    signature = WebhookSigner.Sign(secret, id, signedAt, body);
}
catch (FormatException ex)
{
    Console.Error.WriteLine($"listo-send: {ex.Message}");
    return 2;
}

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
request.Headers.Add(WebhookVerifier.IdHeader, id);
request.Headers.Add(WebhookVerifier.TimestampHeader, signedAt.ToString(System.Globalization.CultureInfo.InvariantCulture));
request.Headers.Add(WebhookVerifier.SignatureHeader, signature);
try
{
    using var response = await http.SendAsync(request);
    Console.WriteLine($"POST {url} webhook-id={id} -> {(int)response.StatusCode} {response.ReasonPhrase}");
    Console.WriteLine(await response.Content.ReadAsStringAsync());
    return response.IsSuccessStatusCode ? 0 : 1;
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"listo-send: POST {url} failed: {ex.Message}");
    return 1;
}
