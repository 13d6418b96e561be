namespace Listo.Orleans.Grains;

/// <summary>
/// A state that carries the <see cref="Outbox"/> of its pending write to the grain storage (which takes it; it is
/// never stored with the state). Grains attach one only through <see cref="StateWrites"/>.
/// </summary>
public interface IHasOutbox
{
    /// <summary>Takes the outbox of the pending write (null when there is none); a second call returns null.</summary>
    Outbox? TakeOutbox();
}
