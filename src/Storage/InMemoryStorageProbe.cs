namespace Listo.Orleans.Storage;

/// <summary>The embedded default keeps state in silo memory, which is always reachable.</summary>
internal sealed class InMemoryStorageProbe : IStorageProbe
{
    public string Description => "in-memory (embedded development mode)";

    public Task ProbeAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
