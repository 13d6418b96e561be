namespace Listo.Orleans.Gateway;

/// <summary>The two listeners of the gateway.</summary>
[Flags]
public enum Listener
{
    Ingress = 1,
    Internal = 2,
    Both = Ingress | Internal,
}
