namespace Listo.Orleans.Grains;

/// <summary>One change with the cursor that resumes after it.</summary>
public sealed record FeedChange(string Cursor, EntityChange Change);
