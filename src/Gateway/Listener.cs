namespace Listo.Orleans.Gateway;

/// <summary>The two listeners of the gateway.</summary>
[Flags]
public enum Listener
{
    Ingress = 1,
    Internal = 2,
    Both = Ingress | Internal,
}

/// <summary>Endpoint metadata: which listeners may serve the endpoint. Endpoints without it are internal only.</summary>
public sealed record ListenerMetadata(Listener Allowed);
