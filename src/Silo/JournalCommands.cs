using System.Globalization;
using Listo.Orleans.Grains;
using Listo.Orleans.Hosting;
using Listo.Orleans.Hosting.Deliveries;

namespace Listo.Orleans.Silo;

/// <summary>A command line the command cannot run: one line naming what is wrong, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// <c>replay</c> and <c>purge</c>: the delivery journal's commands. Options are <c>--name value</c>; every other
/// argument is configuration, as for the silo (<c>--ConnectionStrings:Listo=…</c>).
/// </summary>
internal static class JournalCommands
{
    public const string ReplayUsage = "replay [--from <instant>] [--to <instant>] [--type <event type>] [--outcome <outcome>] [--parallel <1-256>]";
    public const string PurgeUsage = "purge [--before <instant>]   (default: Journal:RetentionDays ago)";

    private const int PageSize = 500;
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Re-applies journaled deliveries (received in [from, to), oldest first) through the same parse and grain path
    /// as a receipt, as an Orleans client of the running cluster, and records each new outcome in the journal.
    /// Signatures are not checked again: only authentic deliveries are journaled. Exit 0 when every delivery got
    /// an outcome, 1 when some could not be applied (they are listed; replay them again later).
    /// </summary>
    public static async Task<int> ReplayAsync(string[] args, TextWriter output)
    {
        var (options, rest) = Split(args, "--from", "--to", "--type", "--outcome", "--parallel");
        var query = new JournalQuery(
            Outcome: options.GetValueOrDefault("--outcome"),
            Type: options.GetValueOrDefault("--type"),
            From: Instant(options, "--from"),
            To: Instant(options, "--to"),
            Limit: PageSize)
        { IncludeBody = true };
        if (query.Outcome is { } wanted && !JournalOutcomes.All.Contains(wanted))
        {
            throw new UsageException($"--outcome must be one of {string.Join(", ", JournalOutcomes.All)}.");
        }

        var parallel = options.TryGetValue("--parallel", out var p)
            ? int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 256 ? n : throw new UsageException("--parallel must be a whole number from 1 to 256.")
            : 16;

        var builder = Host.CreateApplicationBuilder(rest);
        RequireDurable(builder.Configuration, "replay");
        await ListoSilo.RequireSchemaAsync(builder.Configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.ConfigureListoClient(builder.Configuration));
        using var host = builder.Build();
        await using var journal = ListoJournal.CreatePostgres(builder.Configuration);
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();

        var counts = JournalOutcomes.All.ToDictionary(o => o, _ => 0);
        var failures = new List<string>();
        string? after = null;
        do
        {
            var page = await journal.ListAsync(query with { After = after });
            var results = new (string Id, string Outcome, string? Detail)[page.Deliveries.Count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, results.Length),
                new ParallelOptions { MaxDegreeOfParallelism = parallel },
                async (i, _) => results[i] = await ReplayOneAsync(grains, page.Deliveries[i]));
            await journal.ReplayedAsync(results.Where(r => r.Outcome != JournalOutcomes.Failed).ToList());
            foreach (var (id, outcome, detail) in results)
            {
                counts[outcome]++;
                if (outcome == JournalOutcomes.Failed)
                {
                    failures.Add($"{id}: {detail}");
                }
            }

            after = page.Next;
        }
        while (after is not null);

        await output.WriteLineAsync(
            $"Replayed {counts.Values.Sum()} deliveries (received {Describe(query.From, query.To)}{(query.Type is null ? "" : $", type {query.Type}")}" +
            $"{(query.Outcome is null ? "" : $", journaled as {query.Outcome}")}): " +
            string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")) + ".");
        foreach (var failure in failures)
        {
            await output.WriteLineAsync($"  not applied: {failure}");
        }

        await host.StopAsync();
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>Deletes journaled deliveries received before <c>--before</c> (default: the retention ago).</summary>
    public static async Task<int> PurgeAsync(string[] args, TextWriter output)
    {
        var (options, rest) = Split(args, "--before");
        var builder = Host.CreateApplicationBuilder(rest);
        RequireDurable(builder.Configuration, "purge");
        await ListoSilo.RequireSchemaAsync(builder.Configuration);
        var retention = builder.Configuration.GetSection(JournalOptions.Section).Get<JournalOptions>() ?? new JournalOptions();
        var before = Instant(options, "--before") ?? DateTimeOffset.UtcNow.AddDays(-retention.RetentionDays);
        await using var journal = ListoJournal.CreatePostgres(builder.Configuration);
        var purged = await journal.PurgeAsync(before);
        await output.WriteLineAsync($"Purged {purged} deliveries received before {before:O}.");
        return 0;
    }

    private static async Task<(string Id, string Outcome, string? Detail)> ReplayOneAsync(IGrainFactory grains, JournalEntry entry)
    {
        var parsed = ListoEnvelope.Parse(entry.Body, entry.Id);
        switch (parsed)
        {
            case ParsedDelivery.Invalid invalid:
                return (entry.Id, JournalOutcomes.Quarantined, invalid.Detail);
            case ParsedDelivery.Ignored ignored:
                return (entry.Id, JournalOutcomes.Ignored, ignored.Reason);
        }

        try
        {
            var outcome = await grains.ApplyAsync(parsed).WaitAsync(ApplyTimeout);
            return (entry.Id, outcome.ToWireName(), null);
        }
#pragma warning disable CA1031 // reported per delivery; the rest of the replay goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (entry.Id, JournalOutcomes.Failed, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static void RequireDurable(IConfiguration configuration, string command)
    {
        if (ListoSilo.IsEmbedded(configuration))
        {
            throw new StartupConfigurationException(
                $"{command} needs {ListoSilo.ConnectionStringKey}: the embedded mode keeps its journal in the gateway's memory.");
        }
    }

    private static (Dictionary<string, string> Options, string[] Others) Split(string[] args, params string[] names)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (names.Contains(args[i]))
            {
                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"{args[i]} needs a value.");
                }

                options[args[i]] = args[++i];
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && !args[i].Contains(':', StringComparison.Ordinal) && !args[i].Contains('=', StringComparison.Ordinal))
            {
                throw new UsageException($"Unknown option {args[i]}.");
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (options, rest.ToArray());
    }

    private static DateTimeOffset? Instant(Dictionary<string, string> options, string name)
        => !options.TryGetValue(name, out var text) ? null
        : IsoInstant.TryParse(text, out var instant) ? instant
        : throw new UsageException($"{name} must be an ISO-8601 instant with an offset, e.g. 2026-05-03T12:00:00Z; got '{text}'.");

    private static string Describe(DateTimeOffset? from, DateTimeOffset? to)
        => (from, to) switch
        {
            (null, null) => "at any time",
            ({ } f, null) => $"from {f:O}",
            (null, { } t) => $"before {t:O}",
            ({ } f, { } t) => $"from {f:O} to {t:O}",
        };
}
