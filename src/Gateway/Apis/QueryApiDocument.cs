using Microsoft.OpenApi;

namespace Listo.Orleans.Gateway.Apis;

/// <summary>
/// <c>/openapi/v1.json</c> on the internal listener: every <c>/v1</c> route with its parameters, its answers (problem+json
/// included) and the bearer scheme, generated from the endpoints themselves (Microsoft.AspNetCore.OpenApi), so it cannot
/// drift from them. The document names no server: services point a generated client at their own address of the
/// internal listener. A copy is committed as <c>docs/openapi-v1.json</c>, checked against the served one by a test.
/// </summary>
internal static class QueryApiDocument
{
    public const string Name = "v1";
    public const string Path = "/openapi/{documentName}.json";
    private const string Bearer = "bearer";

    public static IServiceCollection AddQueryApiDocument(this IServiceCollection services)
        => services.AddOpenApi(Name, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true;
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(Grains.JsonText))
                {
                    schema.Description = "JSON exactly as Listo sent it (unknown fields included).";
                }

                return Task.CompletedTask;
            });
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Listo.Orleans query API",
                    Version = "v1",
                    Description = "The current state of Listo clients, worker engagements and people, the change feed, the delivery journal and " +
                        "refetches from Listo. Every route needs Authorization: Bearer <key> with a key from QueryApi:Keys; every error is " +
                        "application/problem+json (RFC 9457).",
                };
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A key from QueryApi:Keys.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] }];
                return Task.CompletedTask;
            });
        });

    /// <summary>The problem answers every <c>/v1</c> route can give: no or a wrong key, and the cluster unable to answer now.</summary>
    public static RouteGroupBuilder WithCommonProblems(this RouteGroupBuilder v1)
        => v1.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
