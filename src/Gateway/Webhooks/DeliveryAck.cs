namespace Listo.Orleans.Gateway.Webhooks;

/// <summary>The answer to an applied, duplicate, stale or ignored delivery.</summary>
public sealed record DeliveryAck(string Id, string Outcome);
