namespace Listo.Orleans.Grains;

/// <summary>
/// The grain classes' full names, as Orleans keys per-class settings by them (for example
/// <c>GrainCollectionOptions.ClassSpecificCollectionAge</c>); the classes themselves stay internal.
/// </summary>
public static class GrainClasses
{
    public static string Worker { get; } = typeof(WorkerGrain).FullName!;

    public static string Person { get; } = typeof(PersonGrain).FullName!;

    public static string Client { get; } = typeof(ClientGrain).FullName!;
}
