namespace Listo.Orleans.Grains;

/// <summary>A state that may carry an <see cref="Outbox"/> to its next write. The outbox is never stored.</summary>
public interface IHasOutbox
{
    /// <summary>Takes the outbox of the pending write (null when there is none); a second call returns null.</summary>
    Outbox? TakeOutbox();
}
