using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Listo.Orleans.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Listo.Orleans.Tests.Dashboard;

/// <summary>The Orleans dashboard behind HTTP Basic from Dashboard:Users, on the real gateway over sockets.</summary>
[Trait(Category.Key, Category.Process)]
public sealed class DashboardLoginTests(DashboardLoginTests.Fixture gateway) : IClassFixture<DashboardLoginTests.Fixture>
{
    private const string RefusedLine = "Refused a dashboard login";

    [Fact]
    public async Task WithoutALogin_IsUnauthorized_WithABasicChallenge()
    {
        using var response = await GetAsync("/dashboard/", authorization: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Contains("realm=", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("<html", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(Fixture.User, Fixture.UserSecret)]
    [InlineData(Fixture.OtherUser, Fixture.OtherSecret)]
    public async Task WithAConfiguredLogin_ServesTheDashboard(string name, string secret)
    {
        using var response = await GetAsync("/dashboard/", Basic(name, secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("Basic", "sre:not-the-secret-at-all")]
    [InlineData("Basic", "oncall:" + Fixture.UserSecret)]
    [InlineData("Basic", Fixture.User + ":" + Fixture.UserSecret + "x")]
    [InlineData("Basic", Fixture.User + Fixture.UserSecret)]
    [InlineData("Bearer", Fixture.User + ":" + Fixture.UserSecret)]
    [InlineData("Basic", null)]
    public async Task AWrongLogin_IsUnauthorized(string scheme, string? credentials)
    {
        var value = credentials is null ? "%%% not base64" : Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
        using var response = await GetAsync("/dashboard/", new AuthenticationHeaderValue(scheme, value));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task WrongLogins_AreWrittenToTheLog_WithinTheWarningBudget()
    {
        const int Attempts = 80;
        var before = gateway.Logs.Lines.Count(l => l.Contains(RefusedLine, StringComparison.Ordinal));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await GetAsync("/dashboard/", Basic(Fixture.User, $"guess-{i:D4}-0123456789"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var written = gateway.Logs.Lines.Count(l => l.Contains(RefusedLine, StringComparison.Ordinal)) - before;
        var allowed = Gateway.Webhooks.RejectionLogBudget.Burst + (int)Math.Ceiling(clock.Elapsed.TotalSeconds + 1) * Gateway.Webhooks.RejectionLogBudget.PerSecond;
        Assert.True(written >= 1 && written <= Math.Min(allowed, Attempts - 1), $"{written} warnings for {Attempts} wrong logins in {clock.Elapsed.TotalSeconds:F1} s (at most {allowed})");
        Assert.DoesNotContain(gateway.Logs.Lines, l => l.Contains("guess-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OutsideDevelopment_WithNoLoginConfigured_TheDashboardIsOff()
    {
        var cluster = GatewayProcess.ClusterSettings(await PostgresServer.CreateMigratedDatabaseAsync("dashboard"), "dashboard");
        await using var production = await GatewayProcess.StartAsync(cluster);

        using var response = await production.Http.GetAsync(new Uri(production.Internal, "/dashboard/"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Dashboard:Users", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.Internal, path));
        request.Headers.Authorization = authorization;
        return await gateway.Http.SendAsync(request);
    }

    private static AuthenticationHeaderValue Basic(string name, string secret)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}:{secret}")));

    /// <summary>The gateway with two dashboard logins, and every Listo log line captured.</summary>
    public sealed class Fixture : GatewayFixture
    {
        public const string User = "sre", UserSecret = "dashboard-secret-0123456789";
        public const string OtherUser = "oncall", OtherSecret = "another-secret-abcdefghij";

        public CapturedLogs Logs { get; } = new();

        protected override void Configure(WebApplicationBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dashboard:Users:0:Name"] = User,
                ["Dashboard:Users:0:Secret"] = UserSecret,
                ["Dashboard:Users:1:Name"] = OtherUser,
                ["Dashboard:Users:1:Secret"] = OtherSecret,
            });
        }

        protected override void ConfigureServices(IServiceCollection services)
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            services.Configure<LoggerFilterOptions>(filters => filters.AddFilter<CapturedLogs>("Listo", LogLevel.Trace));
        }
    }
}
