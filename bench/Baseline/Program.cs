using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Listo.Orleans.Webhooks;
using Npgsql;

// The receiver a team would hand-write from listo-docs/worker.updated.txt ("Keep a worker mirror in sync"):
// verify, INSERT the webhook-id into a dedupe table, guarded upsert WHERE last_event_at < occurredAt, one transaction.
// Competent on purpose: pooled NpgsqlDataSource, auto-prepared statements, one round trip per delivery.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var url = builder.Configuration["Baseline:Url"] ?? "http://127.0.0.1:6080";
builder.WebHost.UseUrls(url);
if (builder.Configuration.GetValue<bool>("Baseline:Bare"))
{
    // The load generator's calibration: an endpoint that reads the body and answers at once, no verification and no
    // database, so a run shows what the load generator alone can drive on this machine.
    var bare = builder.Build();
    var ack = "{\"outcome\":\"applied\"}"u8.ToArray();
    bare.MapPost("/webhooks/listo", async (HttpContext http) =>
    {
        await http.Request.Body.CopyToAsync(Stream.Null);
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(ack);
    });
    await bare.RunAsync();
    return;
}

var connectionString = builder.Configuration.GetConnectionString("Baseline") ?? throw new InvalidOperationException("ConnectionStrings:Baseline is required.");
var secrets = builder.Configuration.GetSection("Webhooks:Secrets").Get<string[]>() ?? throw new InvalidOperationException("Webhooks:Secrets is required.");
var keys = (builder.Configuration.GetSection("QueryApi:Keys").Get<string[]>() ?? []).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();
const int MaxBodyBytes = 1_048_576;

var dataSource = NpgsqlDataSource.Create(connectionString);
await using (var schema = dataSource.CreateCommand("""
    CREATE TABLE IF NOT EXISTS webhook_deliveries (id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE IF NOT EXISTS workers (
        client_id text NOT NULL, worker_id text NOT NULL, worker_profile_id text NOT NULL,
        last_event_at timestamptz NOT NULL, last_event_id text COLLATE "C" NOT NULL, occurred_at_text text NOT NULL,
        snapshot json NOT NULL, PRIMARY KEY (client_id, worker_id));
    CREATE TABLE IF NOT EXISTS clients (
        client_id text PRIMARY KEY, last_event_at timestamptz NOT NULL, last_event_id text COLLATE "C" NOT NULL,
        occurred_at_text text NOT NULL, snapshot json NOT NULL);
    """))
{
    await schema.ExecuteNonQueryAsync();
}

const string WorkerSql = """
    WITH d AS (INSERT INTO webhook_deliveries (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1),
    u AS (
        INSERT INTO workers AS w (client_id, worker_id, worker_profile_id, last_event_at, last_event_id, occurred_at_text, snapshot)
        SELECT $2, $3, $4, $5, $1, $6, $7::json WHERE EXISTS (SELECT 1 FROM d)
        ON CONFLICT (client_id, worker_id) DO UPDATE
           SET worker_profile_id = EXCLUDED.worker_profile_id, last_event_at = EXCLUDED.last_event_at,
               last_event_id = EXCLUDED.last_event_id, occurred_at_text = EXCLUDED.occurred_at_text, snapshot = EXCLUDED.snapshot
         WHERE (w.last_event_at, w.last_event_id) < (EXCLUDED.last_event_at, EXCLUDED.last_event_id)
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM d), EXISTS (SELECT 1 FROM u)
    """;
const string ClientSql = """
    WITH d AS (INSERT INTO webhook_deliveries (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1),
    u AS (
        INSERT INTO clients AS c (client_id, last_event_at, last_event_id, occurred_at_text, snapshot)
        SELECT $2, $3, $1, $4, $5::json WHERE EXISTS (SELECT 1 FROM d)
        ON CONFLICT (client_id) DO UPDATE
           SET last_event_at = EXCLUDED.last_event_at, last_event_id = EXCLUDED.last_event_id,
               occurred_at_text = EXCLUDED.occurred_at_text, snapshot = EXCLUDED.snapshot
         WHERE (c.last_event_at, c.last_event_id) < (EXCLUDED.last_event_at, EXCLUDED.last_event_id)
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM d), EXISTS (SELECT 1 FROM u)
    """;
const string ReadSql = "SELECT worker_profile_id, occurred_at_text, last_event_id, snapshot::text FROM workers WHERE client_id = $1 AND worker_id = $2";

var verifier = new WebhookVerifier(secrets, TimeSpan.FromSeconds(300));
var app = builder.Build();

app.MapPost("/webhooks/listo", async (HttpContext http) =>
{
    var request = http.Request;
    string? id = request.Headers[WebhookVerifier.IdHeader];
    string? timestamp = request.Headers[WebhookVerifier.TimestampHeader];
    string? signature = request.Headers[WebhookVerifier.SignatureHeader];
    if (request.ContentLength > MaxBodyBytes)
    {
        return Results.Problem(statusCode: 413, detail: "body too large");
    }

    var buffer = ArrayPool<byte>.Shared.Rent((int)(request.ContentLength ?? MaxBodyBytes) + 1);
    try
    {
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length))) > 0)
        {
            length += read;
        }

        var verified = verifier.Verify(id, timestamp, signature, buffer.AsSpan(0, length));
        if (!verified.IsAuthentic)
        {
            var status = verified.Failure is VerificationFailure.MissingHeader or VerificationFailure.MalformedHeader ? 400 : 401;
            return Results.Problem(statusCode: status, detail: verified.Detail);
        }

        using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString();
        if (root.GetProperty("id").GetString() != id)
        {
            return Results.Problem(statusCode: 400, detail: "id differs from webhook-id");
        }

        if (root.GetProperty("dataVersion").GetInt32() != 1 || type is not ("worker.onboarded" or "worker.updated" or "client.created"))
        {
            return Results.Json(new Ack(id!, "ignored"));
        }

        var occurredAtText = root.GetProperty("occurredAt").GetString()!;
        var occurredAt = DateTimeOffset.Parse(occurredAtText, CultureInfo.InvariantCulture).UtcDateTime;
        var data = root.GetProperty("data");
        await using var command = type == "client.created" ? dataSource.CreateCommand(ClientSql) : dataSource.CreateCommand(WorkerSql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        if (type == "client.created")
        {
            command.Parameters.Add(new NpgsqlParameter { Value = data.GetProperty("clientId").GetString() });
        }
        else
        {
            command.Parameters.Add(new NpgsqlParameter { Value = data.GetProperty("clientId").GetString() });
            command.Parameters.Add(new NpgsqlParameter { Value = data.GetProperty("workerId").GetString() });
            command.Parameters.Add(new NpgsqlParameter { Value = data.GetProperty("workerProfileId").GetString() });
        }

        command.Parameters.Add(new NpgsqlParameter { Value = occurredAt });
        command.Parameters.Add(new NpgsqlParameter { Value = occurredAtText });
        command.Parameters.Add(new NpgsqlParameter { Value = data.GetRawText() });
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            var outcome = !reader.GetBoolean(0) ? "duplicate" : reader.GetBoolean(1) ? "applied" : "stale";
            return Results.Json(new Ack(id!, outcome));
        }
        catch (NpgsqlException ex)
        {
            http.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: 503, detail: ex.Message);
        }
    }
    catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
    {
        return Results.Problem(statusCode: 400, detail: "invalid envelope");
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
    }
});

app.MapGet("/v1/clients/{clientId}/workers/{workerId}", async (HttpContext http, string clientId, string workerId) =>
{
    string? header = http.Request.Headers.Authorization;
    var digest = SHA256.HashData(Encoding.UTF8.GetBytes(header is { Length: > 7 } ? header[7..] : ""));
    var known = false;
    foreach (var key in keys)
    {
        known |= CryptographicOperations.FixedTimeEquals(digest, key);
    }

    if (!known)
    {
        return Results.Problem(statusCode: 401);
    }

    await using var command = dataSource.CreateCommand(ReadSql);
    command.Parameters.Add(new NpgsqlParameter { Value = clientId });
    command.Parameters.Add(new NpgsqlParameter { Value = workerId });
    await using var reader = await command.ExecuteReaderAsync();
    if (!await reader.ReadAsync())
    {
        return Results.Problem(statusCode: 404);
    }

    var output = new ArrayBufferWriter<byte>(4096);
    using (var json = new Utf8JsonWriter(output))
    {
        json.WriteStartObject();
        json.WriteString("clientId", clientId);
        json.WriteString("workerId", workerId);
        json.WriteString("workerProfileId", reader.GetString(0));
        json.WriteString("occurredAt", reader.GetString(1));
        json.WriteString("eventId", reader.GetString(2));
        json.WritePropertyName("snapshot");
        json.WriteRawValue(reader.GetString(3), skipInputValidation: true);
        json.WriteEndObject();
    }

    return Results.Bytes(output.WrittenMemory.ToArray(), "application/json");
});

await app.RunAsync();

internal sealed record Ack(string Id, string Outcome);
