using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Configuration;

internal sealed class QueryApiOptionsValidator : IValidateOptions<QueryApiOptions>
{
    public const int MinimumKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, QueryApiOptions options)
    {
        var keys = options.Keys.Where(k => !string.IsNullOrWhiteSpace(k)).ToList();
        if (keys.Count == 0)
        {
            return ValidateOptionsResult.Fail("QueryApi:Keys is required: set at least one bearer key (QueryApi__Keys__0=...).");
        }

        return keys.Any(k => k.Length < MinimumKeyLength)
            ? ValidateOptionsResult.Fail($"QueryApi:Keys entries must be at least {MinimumKeyLength} characters.")
            : ValidateOptionsResult.Success;
    }
}
