namespace Listo.Orleans.Deliveries;

/// <summary>The journal could not make a delivery's entry durable in time (the caller answers 503).</summary>
public sealed class JournalUnavailableException(Exception inner) : Exception("The delivery journal cannot take the write now.", inner);
