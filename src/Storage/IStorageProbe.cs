namespace Listo.Orleans.Storage;

/// <summary>Answers whether grain storage can take a write now; readiness depends on it.</summary>
public interface IStorageProbe
{
    /// <summary>What storage this is, for health output (never a connection string).</summary>
    string Description { get; }

    /// <summary>Completes when storage answered; throws when it did not within the token's time.</summary>
    Task ProbeAsync(CancellationToken cancellationToken);
}
