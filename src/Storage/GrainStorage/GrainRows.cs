namespace Listo.Orleans.Storage;

/// <summary>How grains map to rows of <c>listo_grain_state</c>.</summary>
internal static class GrainRows
{
    /// <summary>The row key of a grain: its string key, as Orleans' ADO.NET provider stores string-keyed grains.</summary>
    public static string Key(GrainId grainId) => grainId.Key.ToString()!;
}
