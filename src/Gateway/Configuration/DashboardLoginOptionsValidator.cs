using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Configuration;

internal sealed class DashboardLoginOptionsValidator : IValidateOptions<DashboardLoginOptions>
{
    public const int MinimumSecretLength = 16;

    public ValidateOptionsResult Validate(string? name, DashboardLoginOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            if (string.IsNullOrWhiteSpace(user.Name) || user.Name.Contains(':', StringComparison.Ordinal))
            {
                failures.Add($"Dashboard:Users:{i}:Name is required and may not contain ':' (HTTP Basic separates name and secret with it).");
            }

            if (string.IsNullOrEmpty(user.Secret) || user.Secret.Length < MinimumSecretLength)
            {
                failures.Add($"Dashboard:Users:{i}:Secret must be at least {MinimumSecretLength} characters.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
