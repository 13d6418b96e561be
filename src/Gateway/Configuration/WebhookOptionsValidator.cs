using Listo.Orleans.Webhooks;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Configuration;

internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (!options.Secrets.Any(s => !string.IsNullOrWhiteSpace(s)))
        {
            failures.Add("Webhooks:Secrets is required: set at least one signing secret (Webhooks__Secrets__0=whsec_...).");
        }

        foreach (var (secret, index) in options.Secrets.Select((s, i) => (s, i)).Where(p => !string.IsNullOrWhiteSpace(p.s)))
        {
            try
            {
                WebhookSecret.Decode(secret);
            }
            catch (FormatException ex)
            {
                failures.Add($"Webhooks:Secrets:{index} is invalid: {ex.Message}");
            }
        }

        if (options.ToleranceSeconds is < 1 or > 86_400)
        {
            failures.Add("Webhooks:ToleranceSeconds must be between 1 and 86400.");
        }

        if (options.MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            failures.Add("Webhooks:MaxBodyBytes must be between 1024 and 67108864.");
        }

        if (options.ApplyTimeoutSeconds is < 1 or > 120)
        {
            failures.Add("Webhooks:ApplyTimeoutSeconds must be between 1 and 120.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
