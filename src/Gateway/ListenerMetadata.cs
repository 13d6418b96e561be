namespace Listo.Orleans.Gateway;

/// <summary>Endpoint metadata: which listeners may serve the endpoint. Endpoints without it are internal only.</summary>
public sealed record ListenerMetadata(Listener Allowed);
