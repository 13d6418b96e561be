using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Grains;
using Listo.Orleans.Hosting.Operations;
using Listo.Orleans.Webhooks;

namespace Listo.Orleans.Gateway.Webhooks;

/// <summary>
/// The delivery path without its effects, run before the gateway says it is ready. Listo's own sample events (one of
/// each type, embedded from <c>samples/</c>) are signed with a throwaway secret, verified and parsed
/// <see cref="Rounds"/> times, enough calls for the runtime to recompile them at full optimization before traffic
/// arrives; then workers, people and clients are read (never written) under keys no Listo id and no URL can name
/// (they hold a space, which <see cref="GrainKeys.IsValidId"/> refuses), which warms the grain call path, an
/// activation's batched storage read, its prepared statement and the pool's connections. Nothing is written,
/// journaled, counted as a delivery or sent to the gateway's own listeners.
/// </summary>
internal sealed class DeliveryWarmUp(IGrainFactory grains, TimeProvider time) : IWarmUpStep
{
    public const int Rounds = 200;

    /// <summary>How many entities of each kind are read, at once, so the storage read is a batch as under load.</summary>
    public const int Reads = 16;

    /// <summary>The id every warm-up key starts with: a space keeps it out of Listo's ids and the API's paths.</summary>
    public const string ReservedId = "warm up";

    private static readonly string[] Samples = ["client.created.json", "worker.updated.json"];

    public string Name => "delivery path";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var verifier = new WebhookVerifier([secret], TimeSpan.FromMinutes(5), time);
        var bodies = Bodies();
        for (var round = 0; round < Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seconds = time.GetUtcNow().ToUnixTimeSeconds();
            var timestamp = seconds.ToString(CultureInfo.InvariantCulture);
            foreach (var (id, body) in bodies)
            {
                // Listo's webhook-id is the envelope's own id; the parser refuses one that differs.
                var signature = WebhookSigner.Sign(secret, id, seconds, body.Span);
                if (!verifier.Verify(id, timestamp, signature, body.Span).IsAuthentic
                    || ListoEnvelope.Parse(body, id) is not (ParsedDelivery.Worker or ParsedDelivery.Client))
                {
                    throw new InvalidOperationException("A bundled Listo sample did not verify and parse as a delivery.");
                }
            }

            // Let the runtime's background compiler have the cores between rounds.
            await Task.Yield();
        }

        var reads = new List<Task>(3 * Reads);
        for (var i = 0; i < Reads; i++)
        {
            var key = ReservedId + " " + i.ToString(CultureInfo.InvariantCulture);
            reads.Add(grains.GetWorkerGrain(ReservedId, key).GetAsync());
            reads.Add(grains.GetPersonGrain(key).GetAsync());
            reads.Add(grains.GetClientGrain(key).GetAsync());
        }

        await Task.WhenAll(reads).WaitAsync(cancellationToken);
    }

    /// <summary>The samples as Listo sends them, each with its envelope id, plus a <c>worker.onboarded</c> made from the update.</summary>
    private static List<(string Id, ReadOnlyMemory<byte> Body)> Bodies()
    {
        var bodies = new List<(string Id, ReadOnlyMemory<byte> Body)>();
        foreach (var name in Samples)
        {
            using var stream = typeof(DeliveryWarmUp).Assembly.GetManifestResourceStream("samples." + name)
                ?? throw new InvalidOperationException($"The sample {name} is not embedded in the gateway.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bodies.Add(WithId(copy.ToArray()));
        }

        var onboarded = Encoding.UTF8.GetString(bodies[^1].Body.Span).Replace("\"worker.updated\"", "\"worker.onboarded\"", StringComparison.Ordinal);
        bodies.Add(WithId(Encoding.UTF8.GetBytes(onboarded)));
        return bodies;
    }

    private static (string Id, ReadOnlyMemory<byte> Body) WithId(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return (document.RootElement.GetProperty("id").GetString()!, body);
    }
}
