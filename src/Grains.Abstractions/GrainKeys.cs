namespace Listo.Orleans.Grains;

/// <summary>How entities map to grain keys, and typed accessors for callers.</summary>
public static class GrainKeys
{
    /// <summary>Separates client and worker ids in a worker key; Listo ids never contain it.</summary>
    public const char Separator = '/';

    /// <summary>The worker engagement key: <c>{clientId}/{workerId}</c>.</summary>
    public static string Worker(string clientId, string workerId) => string.Concat(clientId, "/", workerId);

    public static IWorkerGrain GetWorkerGrain(this IGrainFactory grains, string clientId, string workerId)
        => grains.GetGrain<IWorkerGrain>(Worker(clientId, workerId));

    public static IPersonGrain GetPersonGrain(this IGrainFactory grains, string workerProfileId)
        => grains.GetGrain<IPersonGrain>(workerProfileId);

    public static IClientGrain GetClientGrain(this IGrainFactory grains, string clientId)
        => grains.GetGrain<IClientGrain>(clientId);
}
