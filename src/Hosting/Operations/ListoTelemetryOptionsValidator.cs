using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting.Operations;

/// <summary>Validates <see cref="ListoTelemetryOptions"/>.</summary>
public sealed class ListoTelemetryOptionsValidator : IValidateOptions<ListoTelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, ListoTelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ShutdownTimeoutSeconds <= 0 || options.ShutdownDelaySeconds < 0 || options.ShutdownDelaySeconds >= options.ShutdownTimeoutSeconds)
        {
            return ValidateOptionsResult.Fail(
                $"Telemetry:ShutdownDelaySeconds ({options.ShutdownDelaySeconds}) must be at least 0 and below Telemetry:ShutdownTimeoutSeconds ({options.ShutdownTimeoutSeconds}).");
        }

        if (options.TraceSampleRatio is < 0 or > 1)
        {
            return ValidateOptionsResult.Fail($"Telemetry:TraceSampleRatio must be from 0 to 1, got {options.TraceSampleRatio}.");
        }

        return string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            || (Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Telemetry:OtlpEndpoint must be an http(s) URL, got '{options.OtlpEndpoint}'.");
    }
}
