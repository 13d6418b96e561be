namespace Listo.Orleans.Grains;

/// <summary>The entity types of the change feed.</summary>
public static class EntityTypes
{
    public const string Worker = "worker";
    public const string Person = "person";
    public const string Client = "client";
}
