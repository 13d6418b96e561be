using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting;

/// <summary>Validates <see cref="SiloListenerOptions"/>: a listener address (<see cref="ListenAddress"/>).</summary>
public sealed class SiloListenerOptionsValidator : IValidateOptions<SiloListenerOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloListenerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ListenAddress.Check("Silo:InternalUrl", options.InternalUrl) is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
    }
}
