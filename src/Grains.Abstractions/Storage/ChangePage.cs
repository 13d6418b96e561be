namespace Listo.Orleans.Grains;

/// <summary>A page of the feed and the cursor to pass next (the same one when nothing new arrived).</summary>
public sealed record ChangePage(IReadOnlyList<FeedChange> Changes, string Next);
