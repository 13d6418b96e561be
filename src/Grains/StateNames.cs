namespace Listo.Orleans.Grains;

/// <summary>Names under which grain state is stored: one state name per grain type, one provider.</summary>
public static class StateNames
{
    /// <summary>The grain storage provider every Listo grain uses.</summary>
    public const string Storage = "listo";

    public const string Worker = "worker";
    public const string Person = "person";
    public const string Client = "client";
}
