namespace Listo.Orleans.Storage;

/// <summary>A grain's stored row: its payload (null after a clear) and version.</summary>
public sealed record StoredState(byte[]? Payload, int Version);

/// <summary>What a flush about to be sent holds, for tests that hold or fail it.</summary>
public sealed record FlushInfo(int Writes);
