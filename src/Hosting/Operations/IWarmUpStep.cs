namespace Listo.Orleans.Hosting.Operations;

/// <summary>
/// Work a role does once at start, before it says it is ready (<see cref="StartupWarmUp"/>): it must leave nothing
/// behind (no state written, no row, no journal entry, no self-addressed request), only compiled code, prepared
/// statements and open connections.
/// </summary>
public interface IWarmUpStep
{
    /// <summary>What the step warms, for the log.</summary>
    string Name { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
