using System.Net;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting;

/// <summary>Validates <see cref="ListoOrleansOptions"/>: a cluster identity, two distinct ports, an IP address to advertise.</summary>
public sealed class ListoOrleansOptionsValidator : IValidateOptions<ListoOrleansOptions>
{
    public ValidateOptionsResult Validate(string? name, ListoOrleansOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add("Orleans:ClusterId and Orleans:ServiceId must not be empty.");
        }

        if (options.SiloPort is < 1 or > 65535 || options.GatewayPort is < 1 or > 65535 || options.SiloPort == options.GatewayPort)
        {
            failures.Add("Orleans:SiloPort and Orleans:GatewayPort must be two different ports from 1 to 65535.");
        }

        if (!IPAddress.TryParse(options.AdvertisedIPAddress, out _))
        {
            failures.Add($"Orleans:AdvertisedIPAddress must be an IP address, got '{options.AdvertisedIPAddress}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
