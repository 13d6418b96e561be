using System.CommandLine;
using System.Text.Json;
using Listo.Orleans.FakeListo;

// fake-listo: Listo's REST API on loopback, for trying refresh and reconcile by hand (README, "Refetching from Listo").
var port = new Option<int>("--port") { Description = "Loopback port to serve on.", DefaultValueFactory = _ => 5090 };
var apiKey = new Option<string>("--api-key") { Description = "The x-api-key it accepts (the gateway's Listo:ApiKey).", DefaultValueFactory = _ => "dev-listo-key" };
var clients = new Option<int>("--clients") { Description = "Clients to create.", DefaultValueFactory = _ => 1 };
var workers = new Option<int>("--workers") { Description = "Workers to create, spread over the clients.", DefaultValueFactory = _ => 0 };
var deliver = new Option<string?>("--deliver") { Description = "Deliver every created entity to this webhook URL first (e.g. http://127.0.0.1:5080/webhooks/listo)." };
deliver.Validators.Add(result =>
{
    if (result.GetValueOrDefault<string?>() is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
    {
        result.AddError($"--deliver must be an absolute URL, got '{url}'.");
    }
});
var secret = new Option<string?>("--secret") { Description = "Signing secret for --deliver (the gateway's Webhooks:Secrets; in Development it prints its own)." };
var drift = new Option<int>("--drift-every") { Description = "After delivering, change every Nth worker at the fake without a delivery (0: none).", DefaultValueFactory = _ => 0 };
var remove = new Option<int>("--remove-every") { Description = "After delivering, delete every Nth worker at the fake, so it answers 404 (0: none).", DefaultValueFactory = _ => 0 };
var throttle = new Option<double>("--throttle-rate") { Description = "Share of requests answered 429 with Retry-After." };
var retryAfter = new Option<int>("--retry-after") { Description = "Retry-After seconds of a 429.", DefaultValueFactory = _ => 1 };
var fail = new Option<double>("--fail-rate") { Description = "Share of requests answered 500." };
var slow = new Option<double>("--slow-rate") { Description = "Share of requests answered late." };
var slowMs = new Option<int>("--slow-ms") { Description = "How late, in milliseconds.", DefaultValueFactory = _ => 5000 };
var slowBody = new Option<bool>("--slow-body") { Description = "A slow answer sends its headers at once and holds back half its body, rather than answering late." };
var bare = new Option<bool>("--bare") { Description = "Answer the entity itself rather than { \"data\": entity }." };
var seed = new Option<int>("--seed") { Description = "Seed of the fault draws.", DefaultValueFactory = _ => 1 };

var root = new RootCommand("A fake of Listo's public REST API on 127.0.0.1: serves links.self paths with x-api-key, injects faults. " +
    "Control it at /_fake/entities?path= (PUT a JSON entity, DELETE), /_fake/redirects?path=&to= (PUT, DELETE), /_fake/faults (PUT) and /_fake/stats (GET).")
{
    port, apiKey, clients, workers, deliver, secret, drift, remove, throttle, retryAfter, fail, slow, slowMs, slowBody, bare, seed,
};
root.SetAction(async (parsed, cancellationToken) =>
{
    var faults = new FakeListoFaults
    {
        ThrottleRate = parsed.GetValue(throttle),
        RetryAfterSeconds = parsed.GetValue(retryAfter),
        FailRate = parsed.GetValue(fail),
        SlowRate = parsed.GetValue(slow),
        SlowMilliseconds = parsed.GetValue(slowMs),
        SlowBody = parsed.GetValue(slowBody),
    };
    if (faults.Problem() is { } problem)
    {
        await Console.Error.WriteLineAsync($"Usage error: {problem}");
        return 2;
    }

    if (parsed.GetValue(deliver) is not null && string.IsNullOrWhiteSpace(parsed.GetValue(secret)))
    {
        await Console.Error.WriteLineAsync("Usage error: --deliver needs --secret (the gateway's signing secret).");
        return 2;
    }

    await using var server = new FakeListoServer(parsed.GetValue(apiKey)!, parsed.GetValue(seed)) { Wrap = !parsed.GetValue(bare) };
    await server.StartAsync(parsed.GetValue(port));
    var entities = FakeListoWorld.Seed(server, parsed.GetValue(clients), parsed.GetValue(workers), "fake");
    Console.WriteLine($"fake-listo: serving {server.Count} entities on {server.BaseAddress}; requests need the x-api-key given by --api-key.");
    if (parsed.GetValue(deliver) is { } deliverTo)
    {
        var url = new Uri(deliverTo, UriKind.Absolute);
        using var http = new HttpClient();
        var failed = await FakeListoWorld.DeliverAsync(http, url, parsed.GetValue(secret)!, entities, DateTimeOffset.UtcNow.AddHours(-1), 8, cancellationToken);
        Console.WriteLine($"fake-listo: delivered {entities.Count - failed} of {entities.Count} entities to {url} (occurredAt an hour ago).");
    }

    var removed = FakeListoWorld.Remove(server, entities, parsed.GetValue(remove));
    var drifted = FakeListoWorld.Drift(server, entities, parsed.GetValue(drift));
    Console.WriteLine($"fake-listo: changed {drifted.Count} workers without a delivery (city Shelbyville), removed {removed.Count}.");
    foreach (var path in drifted.Take(3).Concat(removed.Take(3)))
    {
        Console.WriteLine($"  e.g. {path}");
    }

    // Faults start after the seeding, so that the deliveries above are not what they hit.
    server.Faults = faults;
    Console.WriteLine($"fake-listo: faults {JsonSerializer.Serialize(faults)}; Ctrl-C to stop.");
    try
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine($"fake-listo: served {JsonSerializer.Serialize(server.Stats())}");
    }

    return 0;
});

var result = root.Parse(args);
if (result.Errors.Count > 0)
{
    foreach (var error in result.Errors)
    {
        await Console.Error.WriteLineAsync($"Usage error: {error.Message}");
    }

    return 2;
}

return await result.InvokeAsync();
