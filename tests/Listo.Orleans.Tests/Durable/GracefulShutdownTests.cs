using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Listo.Orleans.Tests.Support;
using Xunit.Abstractions;

namespace Listo.Orleans.Tests.Durable;

/// <summary>What Kubernetes does to a pod on a rolling update: SIGTERM, then SIGKILL after the grace period.</summary>
[Trait(Category.Key, Category.Process)]
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_TurnsReadinessOff_KeepsServing_AndDrainsAnInFlightDeliveryBeforeTheSiloLeaves()
    {
        var cluster = GatewayProcess.ClusterSettings(await PostgresServer.CreateMigratedDatabaseAsync("drain"), "drain");
        cluster["Telemetry__ShutdownDelaySeconds"] = "2";
        await using var gateway = await GatewayProcess.StartAsync(cluster);

        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var envelope = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), ListoEvents.WorkerData(client, worker, person, city: "Drained"));
        var body = new HeldBody(Encoding.UTF8.GetBytes(envelope.ToJsonString()));
        var delivery = gateway.PostAsync(envelope, tweak: request =>
        {
            request.Content = body;
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        });
        await body.FirstHalfSent.WaitAsync(TimeSpan.FromSeconds(10));

        var stopping = Stopwatch.StartNew();
        var stopped = gateway.Process.StopAsync(TimeSpan.FromSeconds(30));

        // Readiness answers 503 at once, on a listener that still accepts connections.
        var ready = HttpStatusCode.OK;
        while (ready == HttpStatusCode.OK && stopping.Elapsed < TimeSpan.FromSeconds(2))
        {
            ready = (await gateway.GetAsync("/health/ready", key: null)).Status;
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        output.WriteLine($"readiness 503 after {stopping.ElapsedMilliseconds} ms");

        // Once the delay is over the web host stops listening: new connections are refused, while the half-sent
        // delivery keeps the process (and its silo) alive.
        Assert.True(await ListenerClosedAsync(gateway.Internal, TimeSpan.FromSeconds(20)), "the internal listener was never closed");
        output.WriteLine($"listeners closed after {stopping.ElapsedMilliseconds} ms; the in-flight delivery is still open");
        Assert.False(gateway.Process.HasExited, gateway.Process.Output);
        body.SendRest();

        using var response = await delivery;
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {answer}\n{gateway.Process.Output}");
        Assert.Contains("\"applied\"", answer, StringComparison.Ordinal);
        await stopped;
        Assert.Equal(0, await gateway.Process.WaitForExitAsync(TimeSpan.FromSeconds(1)));
        output.WriteLine($"in-flight delivery answered 200 and the process exited 0 after {stopping.ElapsedMilliseconds} ms");

        // The 200 meant durable: a new process reads it back from PostgreSQL.
        await gateway.RestartAsync();
        var (status, view) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Drained", view.GetProperty("snapshot").GetProperty("address").GetProperty("city").GetString());
    }

    private static async Task<bool> ListenerClosedAsync(Uri listener, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            try
            {
                await probe.ConnectAsync(listener.Host, listener.Port);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>A request body that sends its first half, then waits for the test before sending the rest.</summary>
    private sealed class HeldBody(byte[] bytes) : HttpContent
    {
        private readonly TaskCompletionSource _firstHalf = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _rest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstHalfSent => _firstHalf.Task;

        public void SendRest() => _rest.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = bytes.Length / 2;
            await stream.WriteAsync(bytes.AsMemory(0, half));
            await stream.FlushAsync();
            _firstHalf.TrySetResult();
            await _rest.Task;
            await stream.WriteAsync(bytes.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
