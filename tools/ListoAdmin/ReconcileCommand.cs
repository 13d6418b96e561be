using System.CommandLine;
using Listo.Orleans.Grains;
using Listo.Orleans.Hosting;
using Listo.Orleans.Refetch;
using Listo.Orleans.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Admin;

/// <summary>
/// <c>reconcile</c>: refetches every known client and worker (or one client and its workers) through the
/// <c>links.self</c> of its newest snapshot, as an Orleans client of the running cluster, within
/// <c>Listo:RequestsPerSecond</c>. Keys come from <c>listo_grain_state</c> in order, a page at a time; a checkpoint
/// as the walk goes lets an interrupted run resume. Exit 0 when every entity was refetched, 1 when some failed (they
/// are listed), 2 without <c>Listo:ApiKey</c>.
/// </summary>
internal static class ReconcileCommand
{
    private const int PageSize = 200;

    /// <summary>The longest pause Listo may ask for (its circuit's, or a <c>Retry-After</c>) that the walk waits out; a longer one stops it.</summary>
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(60);

    public static Command Create(TextWriter output)
    {
        var client = new Option<string?>("--client") { Description = "Only this client and its workers (a Listo client id)." };
        client.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } id && !GrainKeys.IsValidId(id))
            {
                result.AddError($"--client '{id}' is not a Listo client id.");
            }
        });
        var parallel = new Option<int>("--parallel") { Description = "Refetches in flight at once, 1 to 64 (the rate limit still applies).", DefaultValueFactory = _ => 8 };
        parallel.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 64)
            {
                result.AddError("--parallel must be a whole number from 1 to 64.");
            }
        });
        var checkpoint = new Option<string>("--checkpoint")
        {
            Description = "File recording progress, so that an interrupted run resumes where it stopped; removed at the end.",
            DefaultValueFactory = _ => "listo-reconcile.checkpoint.json",
        };
        var restart = new Option<bool>("--restart") { Description = "Ignore an existing checkpoint and start from the first entity." };

        var command = new Command("reconcile", "Refetch every known client and worker from Listo through links.self and apply what changed (after an outage, or to verify).")
        {
            client, parallel, checkpoint, restart,
        };
        AdminCommands.SetAction(command, (parsed, builder, cancellationToken) => RunAsync(
            parsed.GetValue(client), parsed.GetValue(parallel), parsed.GetValue(checkpoint)!, parsed.GetValue(restart), builder, output, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        string? clientId, int parallel, string checkpointPath, bool restart, HostApplicationBuilder builder, TextWriter output, CancellationToken cancellationToken)
    {
        var listo = builder.Configuration.GetSection(ListoApiOptions.Section).Get<ListoApiOptions>() ?? new ListoApiOptions();
        if (!listo.HasKey)
        {
            throw new StartupConfigurationException("reconcile needs Listo:ApiKey (sent to Listo as x-api-key), which is not configured.");
        }

        // Failed refetches are counted and listed at the end; per-attempt log lines would only break the progress bar.
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(orleans => orleans.ConfigureListoClient(builder.Configuration));
        builder.Services.AddListoRefetch(builder.Configuration);
        using var host = builder.Build();
        try
        {
            _ = host.Services.GetRequiredService<IOptions<ListoApiOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            throw new StartupConfigurationException(string.Join(" ", ex.Failures));
        }

        var scope = clientId ?? "*";
        var resumed = restart ? null : await ReconcileCheckpoint.ReadAsync(checkpointPath, cancellationToken);
        if (resumed is not null && resumed.Scope != scope)
        {
            throw new StartupConfigurationException(
                $"{checkpointPath} belongs to a reconcile of {(resumed.Scope == "*" ? "every client" : $"client {resumed.Scope}")}: finish it, pass --restart, or name another --checkpoint.");
        }

        await using var keys = PostgresEntityKeys.Create(StorageMode.From(builder.Configuration).ConnectionString, ListoOrleansOptions.Read(builder.Configuration).ServiceId);
        var ranges = PostgresEntityKeys.Ranges(clientId);
        var (range, after) = resumed is null ? (0, "") : (resumed.Range, resumed.After);
        long remaining = 0;
        for (var r = range; r < ranges.Count; r++)
        {
            remaining += await keys.CountAsync(ranges[r], r == range ? after : "", cancellationToken);
        }

        await host.StartAsync(cancellationToken);
        var refresher = host.Services.GetRequiredService<Refresher>();
        var metrics = host.Services.GetRequiredService<ListoApiMetrics>();
        var doneBefore = resumed?.Counts.Values.Sum() ?? 0;
        var progress = new ReconcileProgress(Console.Error, !Console.IsErrorRedirected, doneBefore + remaining, doneBefore, () => metrics.Retries);
        if (resumed is not null)
        {
            progress.Restore(resumed.Counts);
            await output.WriteLineAsync($"Resuming from {checkpointPath}: {doneBefore} entities were done, {remaining} remain.");
        }

        // A sliding window, not page by page: a refetch waiting out a Retry-After holds up nothing but itself. When
        // Listo keeps failing (its circuit opens again right after a wait), the walk stops instead of failing every
        // remaining entity; the checkpoint keeps the place for a rerun.
        var watermark = new ReconcileWatermark(range, after, resumed?.Counts, resumed?.Failures);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? stoppedBecause = null;
        try
        {
            await Parallel.ForEachAsync(
                WalkAsync(keys, ranges, range, after, watermark, scope, checkpointPath, stop.Token),
                new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = stop.Token },
                async (item, ct) =>
                {
                    var (outcome, failure, stopWalk) = await RefreshAsync(refresher, item.Key, ct);
                    if (stopWalk is not null)
                    {
                        Interlocked.CompareExchange(ref stoppedBecause, stopWalk, null);
                        await stop.CancelAsync();
                        return;
                    }

                    watermark.Finish(item.Sequence, outcome, failure);
                    progress.Count(outcome);
                });
        }
        catch (OperationCanceledException) when (stoppedBecause is not null && !cancellationToken.IsCancellationRequested)
        {
            await watermark.Checkpoint(scope).WriteAsync(checkpointPath, cancellationToken);
        }

        progress.Draw(final: true);
        if (stoppedBecause is null)
        {
            File.Delete(checkpointPath);
        }

        var counts = progress.Counts();
        var seconds = Math.Max(progress.Elapsed.TotalSeconds, 0.001);
        await output.WriteLineAsync(
            $"Reconciled {counts.Values.Sum()} entities{(clientId is null ? "" : $" of client {clientId}")}: " +
            string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")) + ".");
        await output.WriteLineAsync(
            $"This run: {progress.DoneThisRun} refetches and {metrics.Retries} retries ({metrics.Throttled} after a 429) in {seconds:0.0} s, " +
            $"{(progress.DoneThisRun + metrics.Retries) / seconds:0.0} requests/s to Listo (Listo:RequestsPerSecond {listo.RequestsPerSecond}).");
        var failures = watermark.Failures();
        foreach (var failure in failures)
        {
            await output.WriteLineAsync($"  failed: {failure}");
        }

        if (stoppedBecause is not null)
        {
            await output.WriteLineAsync(
                $"Stopped early: {stoppedBecause} " +
                $"{progress.Total - counts.Values.Sum()} entities were not refetched; run reconcile again to resume from {checkpointPath}.");
        }

        await host.StopAsync(CancellationToken.None);
        return failures.Count == 0 && stoppedBecause is null ? 0 : 1;
    }

    /// <summary>
    /// The keys to refetch in walk order, a page at a time from <paramref name="range"/> after <paramref name="after"/>;
    /// the checkpoint is written as each page is fetched.
    /// </summary>
    private static async IAsyncEnumerable<(long Sequence, string Key)> WalkAsync(
        PostgresEntityKeys keys,
        IReadOnlyList<PostgresEntityKeys.KeyRange> ranges,
        int range,
        string after,
        ReconcileWatermark watermark,
        string scope,
        string checkpointPath,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (; range < ranges.Count; range++, after = "")
        {
            while (true)
            {
                var page = await keys.ListAsync(ranges[range], after, PageSize, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }

                foreach (var key in page)
                {
                    yield return (watermark.Issue(range, key), key);
                }

                after = page[^1];
                await watermark.Checkpoint(scope).WriteAsync(checkpointPath, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Refetches one entity. <c>StopWalk</c>, why the walk should stop: Listo's circuit was open, and open again after
    /// waiting out its pause once (a short burst of failures is waited out; a Listo that stays down stops the walk), or
    /// Listo asked (<c>Retry-After</c>) for a pause longer than <see cref="LongestPause"/>.
    /// </summary>
    private static async Task<(string Outcome, string? Failure, string? StopWalk)> RefreshAsync(Refresher refresher, string key, CancellationToken cancellationToken)
    {
        try
        {
            var result = await RefreshOnceAsync(refresher, key, cancellationToken);
            if (result.RetryAfter is { } wait)
            {
                if (wait > LongestPause)
                {
                    return ("failed", null,
                        $"Listo asked for a pause of {Math.Ceiling(wait.TotalSeconds):0} s, longer than reconcile waits ({LongestPause.TotalSeconds:0} s): {key}: {result.Detail}");
                }

                await Task.Delay(wait + TimeSpan.FromMilliseconds(100), cancellationToken);
                result = await RefreshOnceAsync(refresher, key, cancellationToken);
            }

            return result.Status switch
            {
                RefreshStatus.Done => (result.OutcomeName!, null, null),

                // Purged since it was listed, or a snapshot without links.self: nothing to refetch.
                RefreshStatus.UnknownEntity or RefreshStatus.NoSelfLink => ("skipped", null, null),
                _ when result.RetryAfter is not null => ("failed", null, $"Listo is failing (still failing after its circuit breaker's pause: {key}: {result.Detail})."),
                _ => ("failed", $"{key}: {result.Detail}", null),
            };
        }
#pragma warning disable CA1031 // reported per entity; the rest of the walk goes on
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return ("failed", $"{key}: {ex.GetType().Name}: {ex.Message}", null);
        }
    }

    private static Task<RefreshResult> RefreshOnceAsync(Refresher refresher, string key, CancellationToken cancellationToken)
    {
        if (key.StartsWith(GrainKeys.ClientPrefix, StringComparison.Ordinal))
        {
            return refresher.RefreshClientAsync(GrainKeys.IdOf(key, GrainKeys.ClientPrefix), cancellationToken);
        }

        var clientAndWorker = GrainKeys.IdOf(key, GrainKeys.WorkerPrefix);
        var separator = clientAndWorker.IndexOf(GrainKeys.Separator, StringComparison.Ordinal);
        return refresher.RefreshWorkerAsync(clientAndWorker[..separator], clientAndWorker[(separator + 1)..], cancellationToken);
    }
}
