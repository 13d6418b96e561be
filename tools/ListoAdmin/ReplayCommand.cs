using Listo.Orleans.Storage;
using System.CommandLine;
using Listo.Orleans.Grains;
using Listo.Orleans.Hosting;
using Listo.Orleans.Deliveries;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Listo.Orleans.Admin;

/// <summary>
/// <c>replay</c>: re-applies journaled deliveries (received in [from, to), oldest first) through the delivery pipeline
/// a receipt takes, as an Orleans client of the running cluster, and records each new outcome in the journal.
/// Signatures are not checked again: only authentic deliveries are journaled. Exit 0 when every delivery got an
/// outcome, 1 when some could not be applied (they are listed; replay them again later).
/// </summary>
internal static class ReplayCommand
{
    private const int PageSize = 500;
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(30);

    public static Command Create(TextWriter output)
    {
        var from = AdminCommands.Instant("--from", "Only deliveries first received at or after this instant.");
        var to = AdminCommands.Instant("--to", "Only deliveries first received before this instant.");
        var type = new Option<string?>("--type") { Description = "Only deliveries of this event type (e.g. worker.updated)." };
        var outcome = new Option<string?>("--outcome") { Description = "Only deliveries journaled with this outcome (e.g. quarantined, ignored, failed)." };
        outcome.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && !JournalOutcomes.All.Contains(value))
            {
                result.AddError($"--outcome must be one of {string.Join(", ", JournalOutcomes.All)}; got '{value}'.");
            }
        });
        var parallel = new Option<int>("--parallel") { Description = "Deliveries applied at once, 1 to 256.", DefaultValueFactory = _ => 16 };
        parallel.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 256)
            {
                result.AddError("--parallel must be a whole number from 1 to 256.");
            }
        });

        var command = new Command("replay", "Re-apply journaled deliveries through the running cluster; each new outcome is written back to the journal.")
        {
            from, to, type, outcome, parallel,
        };
        AdminCommands.SetAction(command, (parsed, builder, cancellationToken) => RunAsync(
            new JournalQuery(parsed.GetValue(outcome), parsed.GetValue(type), parsed.GetValue(from), parsed.GetValue(to), PageSize) { IncludeBody = true },
            parsed.GetValue(parallel),
            builder,
            output,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(JournalQuery query, int parallel, HostApplicationBuilder builder, TextWriter output, CancellationToken cancellationToken)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.ConfigureListoClient(builder.Configuration));
        using var host = builder.Build();
        await using var journal = AdminCommands.Journal(builder);
        await host.StartAsync(cancellationToken);
        var pipeline = new DeliveryPipeline(host.Services.GetRequiredService<IClusterClient>(), journal: null);

        var counts = JournalOutcomes.All.ToDictionary(o => o, _ => 0);
        var failures = new List<string>();
        string? after = null;
        do
        {
            var page = await journal.ListAsync(query with { After = after }, cancellationToken);
            var results = new (string Id, string Outcome, string? Detail)[page.Deliveries.Count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, results.Length),
                new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
                async (i, ct) => results[i] = await ReplayOneAsync(pipeline, page.Deliveries[i], ct));
            await journal.ReplayedAsync(results.Where(r => r.Outcome != JournalOutcomes.Failed).ToList(), cancellationToken);
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

        await host.StopAsync(CancellationToken.None);
        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task<(string Id, string Outcome, string? Detail)> ReplayOneAsync(DeliveryPipeline pipeline, JournalEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            // No receipt: the outcomes are written back to the journal a page at a time.
            var result = await pipeline.RunAsync(entry.Body, entry.Id, receivedAt: null, ApplyTimeout, cancellationToken);
            return (entry.Id, result.Outcome, result.Detail);
        }
#pragma warning disable CA1031 // reported per delivery; the rest of the replay goes on
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return (entry.Id, JournalOutcomes.Failed, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string Describe(DateTimeOffset? from, DateTimeOffset? to)
        => (from, to) switch
        {
            (null, null) => "at any time",
            ({ } f, null) => $"from {f:O}",
            (null, { } t) => $"before {t:O}",
            ({ } f, { } t) => $"from {f:O} to {t:O}",
        };
}
