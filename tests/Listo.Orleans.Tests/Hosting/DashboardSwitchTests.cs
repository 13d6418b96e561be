using Listo.Orleans.Hosting;
using Listo.Orleans.Hosting.Operations;
using Listo.Orleans.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Listo.Orleans.Tests.Hosting;

/// <summary>
/// The dashboard runs only where a login is configured: its grain-call filter and its once-a-second metrics
/// pipeline are registered on a silo exactly then.
/// </summary>
[Trait(Category.Key, Category.Unit)]
public sealed class DashboardSwitchTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(false, "Dashboard:Users:0:Name", "")]
    [InlineData(true, "Dashboard:Users:0:Name", "sre")]
    [InlineData(true, "Dashboard:Users:0:Secret", "a-secret-of-enough-length")]
    [InlineData(true, "Dashboard:Users:0:Name", "", "Dashboard:Users:1:Name", "sre")]
    public void IsOn_ExactlyWhenALoginIsNamed(bool on, params string[] settings)
        => Assert.Equal(on, DashboardSwitch.IsOn(Configuration(settings)));

    [Fact]
    public void ASilo_WithNoLogin_RunsNothingOfTheDashboard()
    {
        var services = Silo();

        Assert.DoesNotContain(services, IsDashboards);
        Assert.Contains(services, s => s.ServiceType == typeof(Listo.Orleans.Storage.StorageMode)); // the silo itself was configured
    }

    [Fact]
    public void ASilo_WithALogin_FeedsTheDashboard()
    {
        var services = Silo("Dashboard:Users:0:Name", "sre");

        Assert.Contains(services, s => s.ServiceType == typeof(IIncomingGrainCallFilter) && IsDashboards(s));
        Assert.Contains(services, s => s.ServiceType.Name == "DashboardTelemetryExporter"); // the once-a-second metrics pipeline
    }

    private static bool IsDashboards(ServiceDescriptor service)
        => new[] { service.ServiceType, service.IsKeyedService ? service.KeyedImplementationType : service.ImplementationType }
            .Any(type => type?.Namespace?.StartsWith("Orleans.Dashboard", StringComparison.Ordinal) == true);

    private static ServiceCollection Silo(params string[] settings)
    {
        var configuration = Configuration(settings);
        var services = new ServiceCollection();
        new SiloBuilder(services, configuration).ConfigureListoSilo(configuration);
        return services;
    }

    private static IConfiguration Configuration(string[] settings)
        => new ConfigurationBuilder().AddInMemoryCollection(
            Enumerable.Range(0, settings.Length / 2).Select(i => new KeyValuePair<string, string?>(settings[2 * i], settings[(2 * i) + 1]))).Build();

    private sealed class SiloBuilder(IServiceCollection services, IConfiguration configuration) : ISiloBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IConfiguration Configuration { get; } = configuration;
    }
}
