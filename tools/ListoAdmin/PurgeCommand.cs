using System.CommandLine;
using Listo.Orleans.Storage;

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
            var retention = ListoOptions.Read(builder.Configuration, JournalOptions.Section, new JournalOptionsValidator());
            var cutoff = parsed.GetValue(before) ?? DateTimeOffset.UtcNow.AddDays(-retention.RetentionDays);
            await using var journal = AdminCommands.Journal(builder);
            var purged = await journal.PurgeAsync(cutoff, cancellationToken);
            await output.WriteLineAsync($"Purged {purged} deliveries received before {cutoff:O}.");
            return 0;
        });
        return command;
    }
}
