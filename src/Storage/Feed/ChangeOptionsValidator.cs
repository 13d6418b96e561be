using Microsoft.Extensions.Options;

namespace Listo.Orleans.Storage;

/// <summary>Validates <see cref="ChangeOptions"/> at start: no silent clamping of a bad value.</summary>
public sealed class ChangeOptionsValidator : IValidateOptions<ChangeOptions>
{
    public ValidateOptionsResult Validate(string? name, ChangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.HistoryPerEntity is < 1 or > 1000 ? ValidateOptionsResult.Fail("Changes:HistoryPerEntity must be from 1 to 1000.")
            : options.InMemoryLimit < 10 ? ValidateOptionsResult.Fail("Changes:InMemoryLimit must be at least 10.")
            : ValidateOptionsResult.Success;
    }
}
