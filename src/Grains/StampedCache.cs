namespace Listo.Orleans.Grains;

/// <summary>Derived caches of snapshots keyed by entity, which keep the newest by <see cref="EventStamp"/>.</summary>
internal static class StampedCache
{
    /// <summary>Keeps the newer of the held and the offered value in a derived cache.</summary>
    public static bool SetIfNewer<T>(this Dictionary<string, T> cache, string key, T offered, Func<T, EventStamp> stamp)
    {
        if (cache.TryGetValue(key, out var held) && !stamp(offered).IsNewerThan(stamp(held)))
        {
            return false;
        }

        cache[key] = offered;
        return true;
    }
}
