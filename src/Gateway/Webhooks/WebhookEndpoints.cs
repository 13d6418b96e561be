using Microsoft.AspNetCore.Http.HttpResults;

namespace Listo.Orleans.Gateway.Webhooks;

internal static class WebhookEndpoints
{
    /// <summary>Where Listo posts its deliveries: the only route of the ingress listener besides health.</summary>
    public const string Path = "/webhooks/listo";

    public static RouteHandlerBuilder MapWebhooks(this IEndpointRouteBuilder app)
        => app.MapPost(Path, ReceiveAsync).DisableAntiforgery().OnListener(Listener.Ingress);

    private static Task<Results<Ok<DeliveryAck>, ProblemHttpResult>> ReceiveAsync(HttpContext http, WebhookReceiver receiver)
        => receiver.ReceiveAsync(http);
}
