using BenchmarkDotNet.Attributes;
using Listo.Orleans.Grains;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Webhooks;

namespace Listo.Bench.Micro;

/// <summary>
/// The CPU steps of one worker.updated delivery on the gateway and the grains, on Listo's own sample (the body
/// from samples/worker.updated.json). Each benchmark is one step; [MemoryDiagnoser] gives bytes allocated per step.
/// </summary>
[MemoryDiagnoser]
public class DeliverySteps
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private byte[] _body = [];
    private string _id = "";
    private string _timestamp = "";
    private string _signature = "";
    private WebhookVerifier _verifier = null!;
    private WorkerSnapshot _snapshot = null!;
    private JsonText _changed;
    private WorkerState _state = null!;
    private readonly ListoStorageSerializer _serializer = new();

    [GlobalSetup]
    public void Setup()
    {
        _body = File.ReadAllBytes(Path.Combine(RepositoryRoot(), "samples", "worker.updated.json"));
        _id = System.Text.Json.JsonDocument.Parse(_body).RootElement.GetProperty("id").GetString()!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _timestamp = now.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _signature = WebhookSigner.Sign(Secret, _id, now, _body);
        _verifier = new WebhookVerifier([Secret], TimeSpan.FromMinutes(5));
        _snapshot = ((ParsedDelivery.Worker)ListoEnvelope.Parse(_body, _id)).Snapshot;
        _changed = JsonText.FromString(_snapshot.Data.ToString().Replace("Springfield", "Shelbyville", StringComparison.Ordinal));
        _state = new WorkerState { Snapshot = _snapshot, RecentEventIds = [_id, "lglsoevt_a", "lglsoevt_b"] };
    }

    [Benchmark]
    public bool Verify() => _verifier.VerifySignature(_id, _timestamp, _signature, _body).IsAuthentic;

    [Benchmark]
    public ParsedDelivery Parse() => ListoEnvelope.Parse(_body, _id);

    [Benchmark]
    public UInt128 Fingerprint() => ContentHash.Of(_snapshot.Data.Utf8.Span);

    [Benchmark]
    public UInt128 ProfileFingerprint() => PersonViewBuilder.ProfileHash(_snapshot);

    /// <summary>One field changed (address.city), as in an applied update.</summary>
    [Benchmark]
    public int Diff() => JsonChanges.Diff(_snapshot.Data, _changed).Count;

    [Benchmark]
    public int DiffFirstSnapshot() => JsonChanges.Diff(null, _snapshot.Data).Count;

    [Benchmark]
    public int SerializeState() => _serializer.Serialize(_state).ToMemory().Length;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Listo.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Listo.Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}
