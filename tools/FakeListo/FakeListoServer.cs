using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Listo.Orleans.FakeListo;

/// <summary>
/// A fake of Listo's public REST API: a real Kestrel server on loopback. <c>GET {links.self}</c> with the right
/// <c>x-api-key</c> answers the entity's current <c>data</c> (wrapped as <c>{ "data": … }</c> unless
/// <see cref="Wrap"/> is off), 404 for an entity it does not hold, 401 for a missing or wrong key; faults are injected
/// per <see cref="Faults"/>. Under <c>/_fake/</c> (no key): <c>PUT</c>/<c>DELETE /_fake/entities?path=</c>,
/// <c>PUT</c>/<c>DELETE /_fake/redirects?path=&amp;to=</c>, <c>PUT /_fake/faults</c>, <c>GET /_fake/stats</c>.
/// </summary>
public sealed class FakeListoServer(string apiKey, int seed = 1) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, JsonNode> _entities = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _redirects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, long> _byStatus = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<long> _requestTimes = new();
    private readonly Random _random = new(seed);
    private readonly byte[] _key = Encoding.UTF8.GetBytes(apiKey);
    private long _wrongKey;
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public FakeListoFaults Faults { get; set; } = new();

    /// <summary>Answer <c>{ "data": entity }</c> (true, the default) or the bare entity.</summary>
    public bool Wrap { get; set; } = true;

    public int Count => _entities.Count;

    /// <summary>Holds <paramref name="data"/> as the current state at <paramref name="path"/> (its links.self).</summary>
    public void Put(string path, JsonNode data) => _entities[path] = data;

    public JsonNode? Get(string path) => _entities.TryGetValue(path, out var data) ? data : null;

    /// <summary>Forgets the entity at <paramref name="path"/>: it answers 404 from now on.</summary>
    public bool Remove(string path) => _entities.TryRemove(path, out _);

    /// <summary>
    /// <paramref name="path"/> answers 308 with <c>Location: <paramref name="location"/></c> (a path or an absolute URL),
    /// or stops redirecting when <paramref name="location"/> is null.
    /// </summary>
    public void Redirect(string path, string? location)
    {
        if (location is null)
        {
            _redirects.TryRemove(path, out _);
        }
        else
        {
            _redirects[path] = location;
        }
    }

    public async Task StartAsync(int port = 0, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        _app = builder.Build();
        _app.MapGet("/_fake/stats", () => Results.Json(Stats()));
        _app.MapPut("/_fake/faults", async (HttpRequest request) =>
        {
            var faults = await JsonSerializer.DeserializeAsync<FakeListoFaults>(request.Body);
            if (faults?.Problem() is { } problem || faults is null)
            {
                return Results.BadRequest(new { error = faults is null ? "A JSON body is required." : faults.Problem() });
            }

            Faults = faults;
            return Results.Json(Faults);
        });
        _app.MapPut("/_fake/entities", async (HttpRequest request, string path) =>
        {
            var data = await JsonNode.ParseAsync(request.Body);
            if (data is not JsonObject || !path.StartsWith('/'))
            {
                return Results.BadRequest(new { error = "PUT a JSON object (the entity's data) with ?path=<its links.self>." });
            }

            Put(path, data);
            return Results.NoContent();
        });
        _app.MapDelete("/_fake/entities", (string path) => Remove(path) ? Results.NoContent() : Results.NotFound());
        _app.MapPut("/_fake/redirects", (string path, string to) =>
        {
            if (!path.StartsWith('/'))
            {
                return Results.BadRequest(new { error = "PUT ?path=<a links.self>&to=<a path or an absolute URL>." });
            }

            Redirect(path, to);
            return Results.NoContent();
        });
        _app.MapDelete("/_fake/redirects", (string path) => _redirects.TryRemove(path, out _) ? Results.NoContent() : Results.NotFound());
        _app.Map("{**path}", ServeAsync); // everything else: the API itself (literal /_fake routes take precedence)
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    /// <summary>
    /// What was served so far. The busiest second and the busiest five seconds are over any window of that length, not
    /// calendar seconds.
    /// </summary>
    public FakeListoStats Stats()
    {
        var times = _requestTimes.ToArray();
        Array.Sort(times);
        var span = times.Length > 1 ? (double)(times[^1] - times[0]) / Stopwatch.Frequency : 0;
        return new FakeListoStats(
            times.Length,
            _byStatus.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value),
            Interlocked.Read(ref _wrongKey),
            MaxInAnyWindow(times, Stopwatch.Frequency),
            MaxInAnyWindow(times, 5 * Stopwatch.Frequency),
            span > 0 ? Math.Round((times.Length - 1) / span, 2) : 0);
    }

    private static int MaxInAnyWindow(long[] sortedTimes, long window)
    {
        int max = 0, start = 0;
        for (var end = 0; end < sortedTimes.Length; end++)
        {
            while (sortedTimes[end] - sortedTimes[start] >= window)
            {
                start++;
            }

            max = Math.Max(max, end - start + 1);
        }

        return max;
    }

    /// <summary>Forgets the request statistics and the per-path attempt counts (not the entities).</summary>
    public void ResetStats()
    {
        _attempts.Clear();
        _requestTimes.Clear();
        _byStatus.Clear();
        Interlocked.Exchange(ref _wrongKey, 0);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        _requestTimes.Enqueue(Stopwatch.GetTimestamp());
        var status = await AnswerAsync(context);
        _byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
    }

    private async Task<int> AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsGet(request.Method))
        {
            return await Problem(response, 405, "Only GET is served.");
        }

        var sent = request.Headers["x-api-key"].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), _key))
        {
            Interlocked.Increment(ref _wrongKey);
            return await Problem(response, 401, "A valid x-api-key header is required.");
        }

        var faults = Faults;
        var path = request.Path.Value + request.QueryString.Value;
        if (_redirects.TryGetValue(path, out var location))
        {
            response.StatusCode = StatusCodes.Status308PermanentRedirect;
            response.Headers.Location = location;
            return response.StatusCode;
        }

        if (faults.FailFirst > 0 && _attempts.AddOrUpdate(path, 1, (_, n) => n + 1) <= faults.FailFirst)
        {
            return await Fault(response, faults, faults.FailFirstStatus);
        }

        double draw, slow;
        lock (_random)
        {
            draw = _random.NextDouble();
            slow = _random.NextDouble();
        }

        if (draw < faults.ThrottleRate + faults.FailRate)
        {
            return await Fault(response, faults, draw < faults.ThrottleRate ? 429 : 500);
        }

        var late = slow < faults.SlowRate;
        if (late && !faults.SlowBody && !await DelayAsync(faults, context.RequestAborted))
        {
            return 499;
        }

        if (!_entities.TryGetValue(path, out var data))
        {
            return await Problem(response, 404, $"No entity at {request.Path.Value}.");
        }

        var body = Encoding.UTF8.GetBytes((Wrap ? new JsonObject { ["data"] = data.DeepClone() } : data).ToJsonString());
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        if (late && faults.SlowBody)
        {
            await response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
            if (!await DelayAsync(faults, context.RequestAborted))
            {
                return 499;
            }

            await response.Body.WriteAsync(body.AsMemory(body.Length / 2), context.RequestAborted);
            return 200;
        }

        await response.Body.WriteAsync(body, context.RequestAborted);
        return 200;
    }

    private static async Task<bool> DelayAsync(FakeListoFaults faults, CancellationToken aborted)
    {
        try
        {
            await Task.Delay(faults.SlowMilliseconds, aborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static Task<int> Fault(HttpResponse response, FakeListoFaults faults, int status)
    {
        if (status == 429)
        {
            response.Headers.RetryAfter = faults.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Problem(response, 429, "Rate limit exceeded.");
        }

        return Problem(response, status, "Internal error (injected).");
    }

    private static async Task<int> Problem(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(JsonSerializer.Serialize(new { status, message }));
        return status;
    }
}
