using Listo.Orleans.Grains;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Gateway.Apis;
using Listo.Orleans.Gateway.Configuration;
using Listo.Orleans.Gateway.Dashboard;
using Listo.Orleans.Gateway.Webhooks;
using Listo.Orleans.Hosting.Operations;
using Listo.Orleans.Hosting;
using Listo.Orleans.Refetch;
using Listo.Orleans.Storage;
using Listo.Orleans.Webhooks;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway;

/// <summary>Builds the gateway: ASP.NET Core on two listeners with a co-hosted silo.</summary>
public static class GatewayApp
{
    /// <summary>
    /// Creates the application. <paramref name="configure"/> lets a host (a test) add configuration before
    /// anything reads it, and <paramref name="configureSilo"/> decorate the silo after the shared configuration;
    /// production passes neither.
    /// </summary>
    public static WebApplication Create(
        string[] args,
        Action<WebApplicationBuilder>? configure = null,
        Action<ISiloBuilder>? configureSilo = null,
        TextWriter? console = null)
    {
        // appsettings.json is read from beside the executable, whatever directory the process starts in.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        if (builder.Environment.IsDevelopment())
        {
            DevelopmentDefaults.Apply(builder.Configuration, console ?? Console.Out);
        }

        StorageMode.From(builder.Configuration).RequireAllowedIn(builder.Environment);
        builder.AddListoOperations("gateway");
        var listeners = ListoOptions.Read(builder.Configuration, GatewayOptions.Section, new GatewayOptionsValidator());
        var ingress = ListenAddress.Parse("Gateway:IngressUrl", listeners.IngressUrl);
        var @internal = ListenAddress.Parse("Gateway:InternalUrl", listeners.InternalUrl);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(ingress, listen => Listeners.Tag(listen, Listener.Ingress));
            kestrel.Listen(@internal, listen => Listeners.Tag(listen, Listener.Internal));
        });

        builder.UseOrleans(silo =>
        {
            silo.ConfigureListoSilo(builder.Configuration);
            configureSilo?.Invoke(silo);
        });

        var services = builder.Services;
        services.AddValidatedOptions<GatewayOptions, GatewayOptionsValidator>(GatewayOptions.Section);
        services.AddValidatedOptions<WebhookOptions, WebhookOptionsValidator>(WebhookOptions.Section);
        services.AddValidatedOptions<QueryApiOptions, QueryApiOptionsValidator>(QueryApiOptions.Section);
        services.AddValidatedOptions<DashboardLoginOptions, DashboardLoginOptionsValidator>(DashboardLoginOptions.Section);
        services.AddSingleton<DashboardLogin>();
        services.AddSingleton<IWarmUpStep, DeliveryWarmUp>();
        services.AddSingleton(sp =>
        {
            var webhooks = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
            return new WebhookVerifier(
                webhooks.Secrets.Where(s => !string.IsNullOrWhiteSpace(s)),
                TimeSpan.FromSeconds(webhooks.ToleranceSeconds),
                sp.GetService<TimeProvider>());
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddListoJournalRetention();
        services.AddSingleton(sp => new DeliveryPipeline(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<StorageMode>().JournalEnabled ? sp.GetRequiredService<IDeliveryRecorder>() : null));
        services.AddListoRefetch(builder.Configuration);
        services.AddSingleton<WebhookRequestReader>();
        services.AddSingleton<WebhookReceiver>();
        services.AddSingleton<WebhookMetrics>();
        services.AddSingleton<RejectionLogBudget>();
        services.AddSingleton<BearerKeyFilter>();
        services.AddQueryApiDocument();
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (context.Exception is not null)
            {
                // Whatever an endpoint did not answer itself: words for the status, never the exception (the log has it).
                problem.Extensions.Clear();
                if (problem.Status == StatusCodes.Status503ServiceUnavailable)
                {
                    context.HttpContext.Response.Headers.RetryAfter = "5";
                }

                problem.Title = ReasonPhrases.GetReasonPhrase(problem.Status ?? StatusCodes.Status500InternalServerError);
                problem.Detail = problem.Status switch
                {
                    StatusCodes.Status408RequestTimeout => "The request did not arrive in time.",
                    StatusCodes.Status413PayloadTooLarge => "The request is too large.",
                    StatusCodes.Status431RequestHeaderFieldsTooLarge => "The request headers are too large.",
                    StatusCodes.Status503ServiceUnavailable => "The gateway is near its memory limit; retry after Retry-After.",
                    < StatusCodes.Status500InternalServerError => "The request could not be read.",
                    _ => "The gateway failed to answer this request; the failure is logged.",
                };
            }
            else if (problem.Status == StatusCodes.Status404NotFound && problem.Detail is null)
            {
                var request = context.HttpContext.Request;
                problem.Detail = $"There is no {request.Method} {SenderText.Safe(request.Path)} on this listener.";
            }
        });
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default));

        var app = builder.Build();

        // Instruments that exist from the start (once the metrics listener is up), so alert rules over them have a series
        // before the first refetch.
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetService<ListoApiMetrics>());

        // An exception no endpoint answered: the status it means (a framing error is the client's), as problem+json
        // with no exception details in any environment; in Development too, before the developer exception page.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                // The heap limit reached by this request's own allocations (a large read under memory pressure): the
                // process lives on and the same request succeeds once idle activations are shed.
                OutOfMemoryException => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseListenerSplit();
        var dashboardLogin = app.Services.GetRequiredService<DashboardLogin>();
        app.Use(dashboardLogin.InvokeAsync);
        app.MapWebhooks();
        app.MapQueryApi();
        foreach (var health in app.MapListoHealth())
        {
            health.OnListener(Listener.Both);
        }

        app.MapListoMetrics().OnListener(Listener.Internal);
        app.MapOpenApi(QueryApiDocument.Path).OnListener(Listener.Internal);
        app.MapDashboard(DashboardSwitch.IsOn(app.Configuration));
        return app;
    }

    /// <summary>Runs the gateway in the shell every role shares (<see cref="ListoHost"/>).</summary>
    public static Task<int> RunAsync(string[] args) => ListoHost.RunAsync(async () =>
    {
        await using var app = Create(args);
        await ListoHost.CheckAsync(app.Services);
        await app.RunAsync();
        return 0;
    });
}
