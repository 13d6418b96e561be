using System.Diagnostics;

namespace Listo.Orleans.Hosting;

/// <summary>
/// The clock of Orleans' membership area (<c>TimeProviderNames.Membership</c>): real time, with timestamps counted
/// from when the silo was built instead of from when the machine booted. Only differences of these timestamps
/// mean anything to Orleans, so this changes nothing, except for one race in Orleans' <c>Watchdog.Start</c>
/// (10.4.2): it starts the platform-watchdog thread before it sets the participant-check timestamp, and when that
/// thread runs first it measures from timestamp 0. With the machine's clock that reads as the machine's uptime
/// ("Participant check thread has not completed for 00:17:45") and logs a false warning on a clean start; with this
/// clock it reads as the few seconds since the silo was built, below the warning's threshold. A real stall still
/// warns, as before.
/// </summary>
public sealed class SiloStartClock : TimeProvider
{
    private readonly long _origin = Stopwatch.GetTimestamp();

    public override long GetTimestamp() => Stopwatch.GetTimestamp() - _origin;
}
