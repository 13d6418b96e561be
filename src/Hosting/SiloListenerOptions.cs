
namespace Listo.Orleans.Hosting;

/// <summary>The headless silo's only listener (<c>Silo</c> section): <c>/health/*</c> and <c>/metrics</c>.</summary>
public sealed class SiloListenerOptions
{
    public const string Section = "Silo";

    /// <summary>Loopback by default, beside the gateway's 5080 and 5081.</summary>
    public string InternalUrl { get; set; } = "http://127.0.0.1:5091";
}
