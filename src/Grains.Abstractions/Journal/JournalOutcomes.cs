namespace Listo.Orleans.Grains;

/// <summary>
/// The outcomes the journal records: the grain's (<c>applied</c>, <c>duplicate</c>, <c>stale</c>, <c>ignored</c>),
/// <c>quarantined</c> for an authentic body that is not a usable envelope, and <c>failed</c> for a delivery that
/// was answered 503 (not durable; Listo retries it).
/// </summary>
public static class JournalOutcomes
{
    public const string Applied = "applied";
    public const string Duplicate = "duplicate";
    public const string Stale = "stale";
    public const string Ignored = "ignored";
    public const string Quarantined = "quarantined";
    public const string Failed = "failed";

    public static IReadOnlyList<string> All { get; } = [Applied, Duplicate, Stale, Ignored, Quarantined, Failed];

    public static string ToWireName(this DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Applied => Applied,
        DeliveryOutcome.Duplicate => Duplicate,
        DeliveryOutcome.Stale => Stale,
        DeliveryOutcome.Ignored => Ignored,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    // The rule below, stated once for C# and for SQL: held outcomes a later outcome may replace, and the later
    // outcomes that never replace them.
    private static readonly string[] Replaceable = [Ignored, Quarantined];
    private static readonly string[] NeverReplacing = [Duplicate, Failed];

    /// <summary>
    /// The outcome a journaled delivery keeps when it is received (or replayed) again. The first durable outcome
    /// stands: a retry's <c>duplicate</c> does not hide that the delivery was applied. Two exceptions: a
    /// <c>failed</c> delivery takes the outcome of its retry, and an <c>ignored</c> or <c>quarantined</c> one takes
    /// the outcome of a later version that could process it. <see cref="SupersedesSql"/> is the same rule in SQL.
    /// </summary>
    public static bool Supersedes(string next, string held)
        => held == Failed || (Array.IndexOf(Replaceable, held) >= 0 && Array.IndexOf(NeverReplacing, next) < 0);

    /// <summary><see cref="Supersedes"/> as a SQL condition over the columns (or expressions) <paramref name="held"/> and <paramref name="next"/>.</summary>
    public static string SupersedesSql(string held, string next)
        => $"({held} = '{Failed}' OR ({held} IN ({Quoted(Replaceable)}) AND {next} NOT IN ({Quoted(NeverReplacing)})))";

    private static string Quoted(string[] outcomes) => string.Join(", ", outcomes.Select(o => $"'{o}'"));
}
