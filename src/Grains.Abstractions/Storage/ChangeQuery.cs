namespace Listo.Orleans.Grains;

/// <summary>A read of the feed. <see cref="PathPrefix"/> matches a path, or its children (<c>address</c> matches <c>address.city</c>).</summary>
public sealed record ChangeQuery(string? After, int Limit, string? ClientId = null, string? EntityType = null, string? PathPrefix = null)
{
    /// <summary>True when <paramref name="path"/> is <see cref="PathPrefix"/> or below it.</summary>
    public bool MatchesPath(string path)
        => PathPrefix is not { Length: > 0 } prefix
            || (path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] is '.' or '['));

    /// <summary>The change narrowed to the fields the query asks for, or null when none match.</summary>
    public EntityChange? Narrow(EntityChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if ((ClientId is not null && change.ClientId != ClientId) || (EntityType is not null && change.EntityType != EntityType))
        {
            return null;
        }

        if (PathPrefix is not { Length: > 0 })
        {
            return change;
        }

        var fields = change.Fields.Where(f => MatchesPath(f.Path)).ToList();
        return fields.Count == 0 ? null : change with { Fields = fields };
    }
}
