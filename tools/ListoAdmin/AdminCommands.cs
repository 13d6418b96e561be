using System.CommandLine;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Hosting;
using Listo.Orleans.Storage;
using Microsoft.Extensions.Hosting;

namespace Listo.Orleans.Admin;

/// <summary>
/// The command line: one subcommand per operation, each with <c>--help</c>. A bad command line is one line naming
/// what is wrong and exit code 2, before anything connects to the cluster.
/// </summary>
internal static class AdminCommands
{
    public const int UsageExit = 2;

    public static RootCommand Create(TextWriter output)
    {
        var root = new RootCommand("Operator commands against a running durable Listo.Orleans cluster (ConnectionStrings:Listo). " +
            "Configuration comes from the environment (ConnectionStrings__Listo, Listo__ApiKey, …) or from --Section:Key=value " +
            "arguments after a command's options, e.g. reconcile --Listo:RequestsPerSecond=5.")
        {
            ReplayCommand.Create(output),
            PurgeCommand.Create(output),
            ReconcileCommand.Create(output),
        };
        return root;
    }

    /// <summary>
    /// Wires <paramref name="run"/> as the command's action: parse errors and unknown options are exit 2, and the
    /// arguments the command does not know (<c>--Section:Key=value</c>) become configuration.
    /// </summary>
    public static void SetAction(Command command, Func<ParseResult, HostApplicationBuilder, CancellationToken, Task<int>> run)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var unknown = parseResult.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith("--", StringComparison.Ordinal) || !(t.Contains(':', StringComparison.Ordinal) || t.Contains('=', StringComparison.Ordinal)));
            if (unknown is not null)
            {
                await Console.Error.WriteLineAsync($"Usage error: unknown option or argument '{unknown}' (see {command.Name} --help).");
                return UsageExit;
            }

            var builder = Host.CreateApplicationBuilder([.. parseResult.UnmatchedTokens]);
            var mode = StorageMode.From(builder.Configuration);
            mode.RequireDurable(command.Name);
            await mode.RequireSchemaAsync(cancellationToken);
            return await run(parseResult, builder, cancellationToken);
        });
    }

    /// <summary>The durable journal of the configured deployment (the service id a silo of this configuration runs with); no storage engine.</summary>
    public static PostgresDeliveryJournal Journal(HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return PostgresDeliveryJournal.Create(StorageMode.From(builder.Configuration).ConnectionString, ListoOrleansOptions.Read(builder.Configuration).ServiceId);
    }

    /// <summary>An option holding an ISO-8601 instant with an offset; anything else is a parse error naming the option.</summary>
    public static Option<DateTimeOffset?> Instant(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (IsoInstant.TryParse(text, out var instant))
            {
                return instant;
            }

            result.AddError($"{name} must be an ISO-8601 instant with an offset, e.g. 2026-05-03T12:00:00Z; got '{text}'.");
            return null;
        },
    };
}
