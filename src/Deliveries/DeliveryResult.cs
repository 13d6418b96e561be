using Listo.Orleans.Grains;

namespace Listo.Orleans.Deliveries;

/// <summary>What the pipeline made of one authentic delivery: its journal outcome and why, and what it was.</summary>
/// <param name="Outcome">One of <see cref="JournalOutcomes"/>: the grain's outcome, <c>ignored</c> or <c>quarantined</c>.</param>
/// <param name="Detail">Why a delivery was quarantined or ignored (null when a grain took it).</param>
/// <param name="GrainOutcome">What the grain did (null when no grain took it).</param>
public sealed record DeliveryResult(ParsedDelivery Parsed, string Outcome, string? Detail, DeliveryOutcome? GrainOutcome = null);
