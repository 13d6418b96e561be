using System.Text.Json.Serialization;

namespace Listo.Orleans.Grains;

/// <summary>Carries the outbox of a state's next write; never serialized (no [Id], no JSON name).</summary>
public abstract class OutboxState : IHasOutbox
{
    private Outbox? _outbox;

    /// <summary>Rows to commit with this state's write.</summary>
    [JsonIgnore]
    public Outbox? Outbox
    {
        get => _outbox;
        init => _outbox = value is { IsEmpty: false } ? value : null;
    }

    public Outbox? TakeOutbox() => Interlocked.Exchange(ref _outbox, null);
}
