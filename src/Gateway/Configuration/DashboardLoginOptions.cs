using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Configuration;

/// <summary>
/// Who may open the Orleans dashboard (<c>Dashboard:Users</c>, e.g. <c>Dashboard__Users__0__Name=sre</c> and
/// <c>Dashboard__Users__0__Secret=…</c> from a Kubernetes Secret). The dashboard shows grain state, which is personal
/// data: with no user configured it is off outside Development (Development generates one and prints it).
/// </summary>
public sealed class DashboardLoginOptions
{
    public const string Section = "Dashboard";

    public List<DashboardUser> Users { get; set; } = [];

    /// <summary>True when at least one login is configured, so the dashboard is served.</summary>
    public bool Enabled => Users.Any(u => !string.IsNullOrEmpty(u.Name) || !string.IsNullOrEmpty(u.Secret));
}

/// <summary>One dashboard login: a name and its secret, sent by the browser with HTTP Basic.</summary>
public sealed class DashboardUser
{
    public string? Name { get; set; }

    public string? Secret { get; set; }
}

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
