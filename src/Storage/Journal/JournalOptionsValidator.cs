using Microsoft.Extensions.Options;

namespace Listo.Orleans.Storage;

/// <summary>Validates <see cref="JournalOptions"/> at start: no silent clamping of a bad value.</summary>
public sealed class JournalOptionsValidator : IValidateOptions<JournalOptions>
{
    public ValidateOptionsResult Validate(string? name, JournalOptions options)
        => options is null ? throw new ArgumentNullException(nameof(options))
        : options.RetentionDays < 1 ? ValidateOptionsResult.Fail("Journal:RetentionDays must be at least 1.")
        : options.PurgeIntervalMinutes < 1 ? ValidateOptionsResult.Fail("Journal:PurgeIntervalMinutes must be at least 1.")
        : options.InMemoryLimit < 10 ? ValidateOptionsResult.Fail("Journal:InMemoryLimit must be at least 10.")
        : ValidateOptionsResult.Success;
}
