using Listo.Orleans.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting;

/// <summary>
/// The shell every Listo process runs in (the gateway, the silo, listo-admin): what it does, and the exit code and
/// one line that say why it could not. 0 done; 2 configuration (a key named in the line); 3 PostgreSQL unreachable
/// or failing; the rest (1) is the command's own.
/// </summary>
public static class ListoHost
{
    /// <summary>The exit code of a configuration error.</summary>
    public const int ConfigurationExit = 2;

    /// <summary>The exit code of a PostgreSQL error.</summary>
    public const int PostgresExit = 3;

    /// <summary>Runs <paramref name="run"/>; a configuration or PostgreSQL error ends it with one line on standard error.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return await run();
        }
        catch (StartupConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
            return ConfigurationExit;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"Configuration error: {string.Join(" ", ex.Failures)}");
            return ConfigurationExit;
        }
        catch (Npgsql.NpgsqlException ex)
        {
            await Console.Error.WriteLineAsync($"PostgreSQL error: {ex.Message}");
            return PostgresExit;
        }
    }

    /// <summary>
    /// What a role checks before it starts serving: every option registered with <c>ValidateOnStart</c> (so a bad key is
    /// one line here, not a host failure log), then, in durable mode, that the schema this build needs is in place.
    /// </summary>
    public static async Task CheckAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetService<IStartupValidator>()?.Validate();
        await services.GetRequiredService<StorageMode>().RequireSchemaAsync(cancellationToken);
    }
}
