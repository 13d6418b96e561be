namespace Listo.Orleans.Grains;

/// <summary>What a refetch from Listo's REST API did to the entity it addressed.</summary>
[GenerateSerializer, Alias("listo.refresh-outcome")]
public enum RefreshOutcome
{
    /// <summary>Listo's current state differed from the held snapshot and replaced it; the change is in the feed.</summary>
    Applied = 0,

    /// <summary>
    /// Nothing the entity serves changed: Listo's state equals the held snapshot, or a delivery newer than the
    /// refetch was applied while it was in flight.
    /// </summary>
    Unchanged = 1,

    /// <summary>Listo answered 404: the entity is kept, marked gone (<c>goneAt</c>) until newer data arrives.</summary>
    Gone = 2,
}
