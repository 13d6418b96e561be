using Microsoft.AspNetCore.Http.HttpResults;

namespace Listo.Orleans.Gateway.Webhooks;

internal static class WebhookEndpoints
{
    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webhooks").OnListener(Listener.Ingress);
        group.MapPost("/listo", ReceiveAsync).DisableAntiforgery();
        return group;
    }

    private static Task<Results<Ok<DeliveryAck>, ProblemHttpResult>> ReceiveAsync(HttpContext http, WebhookReceiver receiver)
        => receiver.ReceiveAsync(http);
}
