namespace Listo.Orleans.Hosting;

/// <summary>Answers whether grain storage can take a write now; readiness depends on it.</summary>
public interface IStorageProbe
{
    /// <summary>What storage this is, for health output (never a connection string).</summary>
    string Description { get; }

    /// <summary>Completes when storage answered; throws when it did not within the token's time.</summary>
    Task ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>The embedded default keeps state in silo memory, which is always reachable.</summary>
internal sealed class InMemoryStorageProbe : IStorageProbe
{
    public string Description => "in-memory (embedded development mode)";

    public Task ProbeAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
