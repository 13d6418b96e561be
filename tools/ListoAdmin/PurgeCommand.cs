using System.CommandLine;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Hosting;
using Microsoft.Extensions.Configuration;

namespace Listo.Orleans.Admin;

/// <summary><c>purge</c>: deletes journaled deliveries received before <c>--before</c> (default: the retention ago).</summary>
internal static class PurgeCommand
{
    public static Command Create(TextWriter output)
    {
        var before = AdminCommands.Instant("--before", "Delete deliveries first received before this instant (default: Journal:RetentionDays ago).");
        var command = new Command("purge", "Delete journaled deliveries older than the retention, or than --before.") { before };
        AdminCommands.SetAction(command, async (parsed, builder, cancellationToken) =>
        {
            var retention = builder.Configuration.GetSection(JournalOptions.Section).Get<JournalOptions>() ?? new JournalOptions();
            var cutoff = parsed.GetValue(before) ?? DateTimeOffset.UtcNow.AddDays(-retention.RetentionDays);
            await using var journal = ListoJournal.CreatePostgres(builder.Configuration);
            var purged = await journal.PurgeAsync(cutoff, cancellationToken);
            await output.WriteLineAsync($"Purged {purged} deliveries received before {cutoff:O}.");
            return 0;
        });
        return command;
    }
}
