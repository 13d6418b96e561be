using Microsoft.Extensions.Options;

namespace Listo.Orleans.Refetch;

/// <summary>Validates <see cref="ListoApiOptions"/> at start. A missing key is not an error: refresh then answers 503.</summary>
public sealed class ListoApiOptionsValidator : IValidateOptions<ListoApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ListoApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("https" or "http")
            || !string.IsNullOrEmpty(api.Query) || !string.IsNullOrEmpty(api.Fragment))
        {
            return ValidateOptionsResult.Fail($"Listo:ApiBaseUrl must be an absolute http(s) URL without query, got '{options.ApiBaseUrl}'.");
        }

        return options.RequestsPerSecond is < 1 or > 10_000 ? ValidateOptionsResult.Fail("Listo:RequestsPerSecond must be from 1 to 10000.")
            : options.AttemptTimeoutSeconds is <= 0 or > 300 ? ValidateOptionsResult.Fail("Listo:AttemptTimeoutSeconds must be more than 0 and at most 300.")
            : options.TimeoutSeconds < options.AttemptTimeoutSeconds || options.TimeoutSeconds > 600
                ? ValidateOptionsResult.Fail("Listo:TimeoutSeconds must be at least Listo:AttemptTimeoutSeconds and at most 600.")
            : options.Retries is < 0 or > 10 ? ValidateOptionsResult.Fail("Listo:Retries must be from 0 to 10.")
            : ValidateOptionsResult.Success;
    }
}
