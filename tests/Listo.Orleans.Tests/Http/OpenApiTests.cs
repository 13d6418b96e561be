using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Http;

/// <summary>/openapi/v1.json: served on the internal listener, complete for /v1, and equal to the committed copy.</summary>
[Trait(Category.Key, Category.Cluster)]
public sealed class OpenApiTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private static readonly string Committed = Path.Combine(Repository.Root, "docs", "openapi-v1.json");

    [Fact]
    public async Task TheServedDocument_IsTheCommittedCopy()
    {
        var served = await ServedAsync();
        var text = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var committed = File.Exists(Committed) ? JsonNode.Parse(await File.ReadAllTextAsync(Committed)) : null;
        if (!JsonNode.DeepEquals(served, committed))
        {
            var fresh = Path.Combine(Repository.Root, ".data", "openapi-v1.json");
            Directory.CreateDirectory(Path.GetDirectoryName(fresh)!);
            await File.WriteAllTextAsync(fresh, text);
            Assert.Fail($"docs/openapi-v1.json differs from the document the gateway serves. The served one is in {fresh}: " +
                "if the API change is intended, copy it to docs/openapi-v1.json and commit it with the change.");
        }
    }

    [Fact]
    public async Task TheDocument_DescribesEveryV1Route_ItsProblems_AndTheBearerScheme()
    {
        var document = await ServedAsync();
        var paths = document["paths"]!.AsObject();
        string[] expected =
        [
            "/v1/clients/{clientId}", "/v1/clients/{clientId}/workers", "/v1/clients/{clientId}/workers/{workerId}",
            "/v1/people/{workerProfileId}", "/v1/clients/{clientId}/workers/{workerId}/changes", "/v1/changes",
            "/v1/deliveries", "/v1/deliveries/{id}", "/v1/clients/{clientId}/refresh", "/v1/clients/{clientId}/workers/{workerId}/refresh",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), paths.Select(p => p.Key).Order(StringComparer.Ordinal));

        foreach (var (path, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var responses = operation!["responses"]!.AsObject();
                Assert.True(responses.ContainsKey("200"), $"{method} {path} has no 200");
                Assert.True(responses["401"]?["content"]?["application/problem+json"] is not null, $"{method} {path}: no problem+json 401");
                Assert.NotNull(operation["operationId"]);
                foreach (var parameter in path.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}')))
                {
                    Assert.Contains(operation["parameters"]!.AsArray(), p => (string?)p!["name"] == parameter && (string?)p["in"] == "path");
                }
            }
        }

        var changes = paths["/v1/changes"]!["get"]!["parameters"]!.AsArray().Select(p => (string?)p!["name"]);
        Assert.Equal(["after", "clientId", "entityType", "limit", "path", "wait"], changes.Order(StringComparer.Ordinal));
        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["bearer"]!["scheme"]);
        Assert.NotNull(document["security"]![0]!["bearer"]);
        Assert.Null(document["servers"]);
    }

    [Fact]
    public async Task TheDocument_IsNotServedOnIngress()
    {
        using var response = await gateway.Http.GetAsync(new Uri(gateway.Ingress, "/openapi/v1.json"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<JsonNode> ServedAsync()
    {
        using var response = await gateway.Http.GetAsync(new Uri(gateway.Internal, "/openapi/v1.json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
