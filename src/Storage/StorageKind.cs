namespace Listo.Orleans.Storage;

/// <summary>Where grain state, the change feed and the journal live (<see cref="StorageMode"/>).</summary>
public enum StorageKind
{
    /// <summary>No connection string: everything in the process's memory, Development only.</summary>
    Embedded,

    /// <summary>PostgreSQL through the project's storage engine (group commit; outbox rows in the state's transaction).</summary>
    Engine,

    /// <summary>PostgreSQL through Orleans' ADO.NET grain storage (<c>Storage:Provider=adonet</c>); outbox rows right after the state.</summary>
    AdoNet,
}
