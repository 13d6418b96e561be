
namespace Listo.Orleans.Gateway.Configuration;

/// <summary>Bearer keys of the <c>/v1</c> query API (<c>QueryApi</c> section).</summary>
public sealed class QueryApiOptions
{
    public const string Section = "QueryApi";

    public List<string> Keys { get; set; } = [];
}
