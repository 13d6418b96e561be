namespace Listo.Orleans.Grains;

/// <summary>The outbox slot of a state's pending write (<see cref="IHasOutbox"/>); the slot is never serialized.</summary>
public abstract class OutboxState : IHasOutbox
{
    private Outbox? _outbox;

    /// <summary>Makes <paramref name="rows"/> (if any) ride with this state's next write.</summary>
    public void Carry(Outbox? rows) => _outbox = rows is { IsEmpty: false } ? rows : null;

    public Outbox? TakeOutbox() => Interlocked.Exchange(ref _outbox, null);
}
