using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Durable;

/// <summary>Outside Development a missing required key stops the real executable with one line naming it.</summary>
[Trait(Category.Key, Category.Process)]
public sealed class StartupTests
{
    [Theory]
    [InlineData("ConnectionStrings__Listo", "ConnectionStrings:Listo")]
    [InlineData("Webhooks__Secrets__0", "Webhooks:Secrets")]
    [InlineData("QueryApi__Keys__0", "QueryApi:Keys")]
    public async Task MissingRequiredKey_StopsTheGateway_WithOneLineNamingIt(string removed, string named)
    {
        var settings = GatewayProcess.ClusterSettings(await PostgresServer.CreateMigratedDatabaseAsync("startup"), "startup-" + removed.Length);
        settings.Remove(removed);
        settings["Gateway__IngressUrl"] = $"http://127.0.0.1:{GatewayFixture.FreePort()}";
        settings["Gateway__InternalUrl"] = $"http://127.0.0.1:{GatewayFixture.FreePort()}";

        await using var gateway = ChildProcess.Start("gateway", Repository.Executable("Gateway", "Listo.Orleans.Gateway"), settings);
        var exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        var line = Assert.Single(gateway.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Configuration error: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFixture.Secret, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway", "Listo.Orleans.Gateway")]
    [InlineData("Silo", "Listo.Orleans.Silo")]
    public async Task UnreachablePostgres_StopsEitherRole_WithOneLineNamingTheServer(string project, string assembly)
    {
        // A port nothing listens on: the schema check at start cannot connect.
        var settings = GatewayProcess.ClusterSettings($"Host=127.0.0.1;Port={GatewayFixture.FreePort()};Database=listo;Username=listo;Timeout=3", "unreachable");
        settings["Gateway__IngressUrl"] = $"http://127.0.0.1:{GatewayFixture.FreePort()}";
        settings["Gateway__InternalUrl"] = $"http://127.0.0.1:{GatewayFixture.FreePort()}";
        settings["Silo__InternalUrl"] = $"http://127.0.0.1:{GatewayFixture.FreePort()}";

        await using var process = ChildProcess.Start(project, Repository.Executable(project, assembly), settings);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 2, $"exit {exitCode}:\n{process.Output}");
        var line = Assert.Single(process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Configuration error: ConnectionStrings:Listo: cannot reach PostgreSQL 127.0.0.1:", line, StringComparison.Ordinal);
    }
}
