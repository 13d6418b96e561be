using Orleans.Storage;

namespace Listo.Orleans.Grains;

/// <summary>
/// A grain storage that writes the <see cref="Outbox"/> a state carries (<see cref="IHasOutbox"/>) with the state or
/// right after it. The storage the grains use (<see cref="StateNames.Storage"/>) must be one: the silo refuses to
/// start otherwise (<see cref="OutboxStorageCheck"/>), and a write whose rows were not taken fails.
/// </summary>
public interface IOutboxGrainStorage : IGrainStorage;
