namespace Listo.Orleans.Grains;

/// <summary>What an authentic delivery did to the entity it addressed.</summary>
[GenerateSerializer, Alias("listo.delivery-outcome")]
public enum DeliveryOutcome
{
    /// <summary>The snapshot was newer than what the entity held and is now durable.</summary>
    Applied = 0,

    /// <summary>The same event id was already applied to the entity; nothing changed.</summary>
    Duplicate = 1,

    /// <summary>Older than (or equal in order to) the entity's current snapshot; nothing changed.</summary>
    Stale = 2,

    /// <summary>An event type or data version this version does not apply.</summary>
    Ignored = 3,
}
