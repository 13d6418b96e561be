namespace Listo.Orleans.Storage;

/// <summary>The values of <c>Storage:Provider</c>.</summary>
public static class StorageProviders
{
    public const string Engine = "engine";
    public const string AdoNet = "adonet";
}
