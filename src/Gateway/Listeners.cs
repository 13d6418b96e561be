using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Listo.Orleans.Gateway;

/// <summary>
/// Tags every connection with the listener it arrived on (at the socket, not from the Host header, which a
/// caller controls) and hides endpoints from the listener they do not belong to: they answer 404 there.
/// </summary>
internal static class Listeners
{
    private const string ItemKey = "listo.listener";

    public static void Tag(ListenOptions listen, Listener listener)
        => listen.Use(next => connection =>
        {
            connection.Items[ItemKey] = listener;
            return next(connection);
        });

    public static Listener Of(HttpContext context)
        => context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var value) == true && value is Listener listener
            ? listener
            : Listener.Internal;

    /// <summary>Runs after routing: an endpoint matched on the wrong listener is dropped, so the request gets 404.</summary>
    public static IApplicationBuilder UseListenerSplit(this IApplicationBuilder app)
        => app.Use((context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint is not null)
            {
                var allowed = endpoint.Metadata.GetMetadata<ListenerMetadata>()?.Allowed ?? Listener.Internal;
                if ((allowed & Of(context)) == 0)
                {
                    context.SetEndpoint(null);
                    context.Request.RouteValues.Clear();
                }
            }

            return next(context);
        });

    public static TBuilder OnListener<TBuilder>(this TBuilder builder, Listener listener)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new ListenerMetadata(listener));
}
