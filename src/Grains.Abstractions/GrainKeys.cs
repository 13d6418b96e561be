namespace Listo.Orleans.Grains;

/// <summary>
/// How entities map to grain keys, and typed accessors for callers. Every key carries a type prefix
/// (<c>worker:</c>, <c>person:</c>, <c>client:</c>): Orleans' ADO.NET storage re-encodes string keys that happen
/// to parse as hex integers or GUIDs, and a prefix makes that impossible for any Listo id.
/// </summary>
public static class GrainKeys
{
    /// <summary>Separates client and worker ids in a worker key; Listo ids never contain it.</summary>
    public const char Separator = '/';

    /// <summary>The longest Listo id accepted (Listo's are about 30 characters).</summary>
    public const int MaxIdLength = 256;

    public const string WorkerPrefix = "worker:";
    public const string PersonPrefix = "person:";
    public const string ClientPrefix = "client:";

    /// <summary>
    /// Whether <paramref name="id"/> can be an entity id: 1 to <see cref="MaxIdLength"/> characters, no
    /// <see cref="Separator"/>, no white space or control characters, and not <c>.</c> or <c>..</c>, which no URL
    /// path segment can carry (clients and servers resolve them as dot-segments), so such an entity could never be
    /// read back. Every other id round-trips through a percent-encoded path segment.
    /// </summary>
    public static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || id is "." or "..")
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c == Separator || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The worker engagement key: <c>worker:{clientId}/{workerId}</c>.</summary>
    public static string Worker(string clientId, string workerId) => string.Concat(WorkerPrefix, clientId, "/", workerId);

    /// <summary>The person key: <c>person:{workerProfileId}</c>.</summary>
    public static string Person(string workerProfileId) => PersonPrefix + workerProfileId;

    /// <summary>The client key: <c>client:{clientId}</c>.</summary>
    public static string Client(string clientId) => ClientPrefix + clientId;

    /// <summary>The entity id inside a key made by this class.</summary>
    public static string IdOf(string key, string prefix)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(prefix, StringComparison.Ordinal)
            ? key[prefix.Length..]
            : throw new ArgumentException($"Grain key '{key}' does not start with '{prefix}'.", nameof(key));
    }

    public static IWorkerGrain GetWorkerGrain(this IGrainFactory grains, string clientId, string workerId)
        => grains.GetGrain<IWorkerGrain>(Worker(clientId, workerId));

    public static IPersonGrain GetPersonGrain(this IGrainFactory grains, string workerProfileId)
        => grains.GetGrain<IPersonGrain>(Person(workerProfileId));

    public static IClientGrain GetClientGrain(this IGrainFactory grains, string clientId)
        => grains.GetGrain<IClientGrain>(Client(clientId));
}
