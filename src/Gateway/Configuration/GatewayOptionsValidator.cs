using Listo.Orleans.Hosting;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Configuration;

/// <summary>Validates <see cref="GatewayOptions"/>: two listener addresses (<see cref="ListenAddress"/>).</summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (ListenAddress.Check("Gateway:IngressUrl", options.IngressUrl) ?? ListenAddress.Check("Gateway:InternalUrl", options.InternalUrl)) is { } failure
            ? ValidateOptionsResult.Fail(failure)
            : ValidateOptionsResult.Success;
    }
}
