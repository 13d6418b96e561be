using Listo.Orleans.Deliveries;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting;

internal sealed class JournalOptionsValidator : IValidateOptions<JournalOptions>
{
    public ValidateOptionsResult Validate(string? name, JournalOptions options)
        => options.RetentionDays < 1 ? ValidateOptionsResult.Fail("Journal:RetentionDays must be at least 1.")
        : options.PurgeIntervalMinutes < 1 ? ValidateOptionsResult.Fail("Journal:PurgeIntervalMinutes must be at least 1.")
        : options.InMemoryLimit < 10 ? ValidateOptionsResult.Fail("Journal:InMemoryLimit must be at least 10.")
        : ValidateOptionsResult.Success;
}
