namespace Listo.Orleans.Gateway.Webhooks;

/// <summary>An authentic delivery: its verified webhook-id and its body, the one copy every later step shares.</summary>
internal readonly record struct VerifiedDelivery(string Id, byte[] Body);
