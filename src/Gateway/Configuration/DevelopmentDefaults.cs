using Listo.Orleans.Storage;
using System.Security.Cryptography;
using Listo.Orleans.Webhooks;

namespace Listo.Orleans.Gateway.Configuration;

/// <summary>
/// Lets <c>dotnet run</c> work with nothing configured, in Development only: a missing webhook secret or
/// query key or dashboard login is generated and printed once, and the embedded mode announces that state is in memory.
/// </summary>
internal static class DevelopmentDefaults
{
    public static void Apply(ConfigurationManager configuration, TextWriter output)
    {
        var generated = new Dictionary<string, string?>();
        if (!HasAny(configuration, WebhookOptions.Section + ":Secrets"))
        {
            generated["Webhooks:Secrets:0"] = WebhookSecret.Generate();
        }

        if (!HasAny(configuration, QueryApiOptions.Section + ":Keys"))
        {
            generated["QueryApi:Keys:0"] = "dev_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        }

        if (!configuration.GetSection(DashboardLoginOptions.Section + ":Users").GetChildren().Any())
        {
            generated["Dashboard:Users:0:Name"] = "dev";
            generated["Dashboard:Users:0:Secret"] = "dev_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        }

        if (generated.Count > 0)
        {
            configuration.AddInMemoryCollection(generated);
            foreach (var (key, value) in generated)
            {
                output.WriteLine($"Development: generated {key} = {value}");
            }
        }

        if (StorageMode.From(configuration).IsEmbedded)
        {
            output.WriteLine($"WARNING: embedded mode: grain state is in memory and is lost when the process stops (set {StorageMode.ConnectionStringKey} for PostgreSQL).");
        }
    }

    private static bool HasAny(ConfigurationManager configuration, string key)
        => configuration.GetSection(key).GetChildren().Any(c => !string.IsNullOrWhiteSpace(c.Value));
}
