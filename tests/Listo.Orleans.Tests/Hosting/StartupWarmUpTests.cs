using Listo.Orleans.Hosting.Operations;
using Listo.Orleans.Tests.Support;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Listo.Orleans.Tests.Hosting;

/// <summary>The warm-up starts with the host, holds readiness until its steps are over, and never keeps a pod from serving.</summary>
[Trait(Category.Key, Category.Unit)]
public sealed class StartupWarmUpTests
{
    [Fact]
    public async Task IsDone_OnlyOnceTheHostHasStarted_AndEveryStepHasFinished()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource();
        using var lifetime = new Lifetime();
        using var warmUp = new StartupWarmUp(
            [new Step("held", _ => { entered.SetResult(); return gate.Task; })], lifetime, NullLogger<StartupWarmUp>.Instance);
        await warmUp.StartAsync(CancellationToken.None);

        Assert.False(entered.Task.IsCompleted); // nothing runs before the host has started
        Assert.False(warmUp.IsDone);
        lifetime.Start();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(warmUp.IsDone); // the step is running: not ready yet

        gate.SetResult();
        await warmUp.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(warmUp.IsDone);
    }

    [Fact]
    public async Task AFailingStep_IsSkipped_AndTheRestStillRun()
    {
        var ran = false;
        using var lifetime = new Lifetime();
        using var warmUp = new StartupWarmUp(
            [new Step("broken", _ => throw new InvalidOperationException("cold")), new Step("after", _ => { ran = true; return Task.CompletedTask; })],
            lifetime, NullLogger<StartupWarmUp>.Instance);
        await warmUp.StartAsync(CancellationToken.None);
        lifetime.Start();

        await warmUp.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(warmUp.IsDone);
        Assert.True(ran);
    }

    private sealed class Step(string name, Func<CancellationToken, Task> run) : IWarmUpStep
    {
        public string Name => name;

        public Task RunAsync(CancellationToken cancellationToken) => run(cancellationToken);
    }

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }

        public void Start() => _started.Cancel();

        public void Dispose() => _started.Dispose();
    }
}
