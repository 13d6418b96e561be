using Listo.Orleans.Tests.Support;
using Listo.Orleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Listo.Orleans.Tests.Hosting;

/// <summary>
/// Orleans' watchdog (10.4.2) can measure its first participant check from timestamp 0, before it set that
/// timestamp. With the membership clock a silo is built with, that reads as the time since the silo was built,
/// below the warning's threshold, not as the machine's uptime (the false "has not completed for 00:17:45" warning).
/// </summary>
[Trait(Category.Key, Category.Unit)]
public sealed class SiloStartClockTests
{
    [Fact]
    public void TheMembershipClock_MeasuresAnUnsetTimestampFromTheSilosStart_NotFromTheMachinesBoot()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Orleans:ClusterId"] = "clock-test" });
        builder.UseOrleans(silo => silo.ConfigureListoSilo(builder.Configuration));
        using var host = builder.Build();

        var clock = host.Services.GetRequiredKeyedService<TimeProvider>(global::Orleans.Runtime.TimeProviderNames.Membership);
        var threshold = host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value.LocalHealthDegradationMonitoringPeriod * 2;

        Assert.IsType<SiloStartClock>(clock);
        Assert.True(clock.GetElapsedTime(0) < threshold, $"an unset timestamp reads as {clock.GetElapsedTime(0)}");
        Assert.True(TimeProvider.System.GetElapsedTime(0) > clock.GetElapsedTime(0), "the machine's clock counts from boot");

        // Differences, which are all Orleans uses, are the machine's.
        var start = clock.GetTimestamp();
        Thread.Sleep(50);
        Assert.InRange(clock.GetElapsedTime(start), TimeSpan.FromMilliseconds(45), TimeSpan.FromSeconds(5));
    }
}
