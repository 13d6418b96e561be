namespace Listo.Orleans.Grains;

/// <summary>The meter of the project's own instruments, created through <c>IMeterFactory</c> in every assembly that records on it.</summary>
public static class ListoMeter
{
    public const string Name = "Listo.Orleans";
}
