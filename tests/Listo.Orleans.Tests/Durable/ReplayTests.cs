using System.Net;
using System.Text;
using Listo.Orleans.Grains;
using Listo.Orleans.Storage;
using Listo.Orleans.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Listo.Orleans.Tests.Durable;

/// <summary><c>replay</c>, run as the real Silo executable against a running durable cluster.</summary>
[Trait(Category.Key, Category.Process)]
public sealed class ReplayTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ReplayingTheWholeJournalTwice_LeavesTheSameState_TheSameOutcomes_AndNoNewChange()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("replay");
        var cluster = GatewayProcess.ClusterSettings(connectionString, "replay");
        var stream = ListoStream.Generate(seed: 7, people: 8, clientsPerPerson: 2, versionsPerWorker: 4, duplicateShare: 0.2);
        await using var gateway = await GatewayProcess.StartAsync(cluster);
        var sent = await stream.SendAsync(gateway, concurrency: 8);
        Assert.Equal(stream.Deliveries.Count, sent.Acked);

        var state = await stream.ReadStateAsync(gateway);
        var changes = await CountChangesAsync(connectionString);
        Assert.True(changes.Count > 0);
        var journal = await gateway.ReadJournalOutcomesAsync();
        Assert.Equal(sent.AckedIds.Distinct().Order(), journal.Keys.Order());

        for (var round = 1; round <= 2; round++)
        {
            var (exit, text) = await RunAdminAsync(cluster, "replay");
            output.WriteLine($"replay {round}: {text}");
            Assert.True(exit == 0, text);
            Assert.Contains($"Replayed {journal.Count} deliveries", text, StringComparison.Ordinal);
            Assert.Contains("applied 0,", text, StringComparison.Ordinal);

            Assert.Equal(state, await stream.ReadStateAsync(gateway));
            Assert.Equal(changes, await CountChangesAsync(connectionString));
            Assert.Equal(journal, await gateway.ReadJournalOutcomesAsync());
        }
    }

    /// <summary>
    /// An older version journaled deliveries it could not process as <c>ignored</c> and <c>quarantined</c>; this
    /// version understands them, and replaying them applies them. The rows are written as that version wrote
    /// them, since this build cannot be made to misunderstand its own events.
    /// </summary>
    [Fact]
    public async Task ReplayingIgnoredAndQuarantined_AfterAnUpgrade_AppliesThem_AndLeavesTheUnusableQuarantined()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("upgrade");
        var cluster = GatewayProcess.ClusterSettings(connectionString, "upgrade");
        await using var gateway = await GatewayProcess.StartAsync(cluster);

        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var workerEvent = ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), ListoEvents.WorkerData(client, worker, person));
        var clientEvent = ListoEvents.Client(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), ListoEvents.ClientData(client));
        var received = DateTimeOffset.UtcNow.AddMinutes(-5);
        await using (var journal = new PostgresDeliveryJournal(NpgsqlDataSource.Create(connectionString), "upgrade"))
        {
            await journal.RecordAsync([
                new((string)workerEvent["id"]!, "worker.updated", ListoEvents.At(1), received, JournalOutcomes.Ignored,
                    "dataVersion 1 of worker.updated is not applied by this version", Encoding.UTF8.GetBytes(workerEvent.ToJsonString())),
                new((string)clientEvent["id"]!, "client.created", ListoEvents.At(1), received, JournalOutcomes.Quarantined,
                    "data.name is required", Encoding.UTF8.GetBytes(clientEvent.ToJsonString())),
                new("msg_unusable", "", null, received, JournalOutcomes.Quarantined, "not JSON", Encoding.UTF8.GetBytes("{not json")),
            ]);
        }

        var (before, _) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
        Assert.Equal(HttpStatusCode.NotFound, before);

        var (exit, ignored) = await RunAdminAsync(cluster, "replay", "--outcome", "ignored");
        output.WriteLine(ignored);
        Assert.True(exit == 0, ignored);
        Assert.Contains("Replayed 1 deliveries", ignored, StringComparison.Ordinal);
        Assert.Contains("applied 1,", ignored, StringComparison.Ordinal);

        (exit, var quarantined) = await RunAdminAsync(cluster, "replay", "--outcome", "quarantined", "--from", received.AddSeconds(-1).ToString("O"));
        output.WriteLine(quarantined);
        Assert.True(exit == 0, quarantined);
        Assert.Contains("Replayed 2 deliveries", quarantined, StringComparison.Ordinal);
        Assert.Contains("applied 1,", quarantined, StringComparison.Ordinal);
        Assert.Contains("quarantined 1,", quarantined, StringComparison.Ordinal);

        var (workerStatus, held) = await gateway.GetAsync($"/v1/clients/{client}/workers/{worker}");
        Assert.Equal(HttpStatusCode.OK, workerStatus);
        Assert.Equal((string)workerEvent["id"]!, held.GetProperty("eventId").GetString());
        var (clientStatus, _) = await gateway.GetAsync($"/v1/clients/{client}");
        Assert.Equal(HttpStatusCode.OK, clientStatus);

        var outcomes = await gateway.ReadJournalOutcomesAsync();
        Assert.Equal(JournalOutcomes.Applied, outcomes[(string)workerEvent["id"]!]);
        Assert.Equal(JournalOutcomes.Applied, outcomes[(string)clientEvent["id"]!]);
        Assert.Equal(JournalOutcomes.Quarantined, outcomes["msg_unusable"]);
        var worked = await Changes.ChangeFeedTests.ReadUntilAsync(gateway, $"clientId={client}&entityType=worker", c => true, 1);
        Assert.Equal((string)workerEvent["id"]!, Assert.Single(worked).GetProperty("eventId").GetString());
    }

    [Theory]
    [InlineData("replay --outcome lost", "--outcome must be one of")]
    [InlineData("replay --from yesterday", "--from must be an ISO-8601 instant")]
    [InlineData("replay --colour red", "unknown option or argument '--colour'")]
    [InlineData("replay --parallel 0", "--parallel must be a whole number from 1 to 256")]
    [InlineData("purge --before", "--before")]
    [InlineData("reconcile-everything", "reconcile-everything")]
    public async Task ABadCommandLine_IsOneLineAndExit2(string commandLine, string message)
    {
        var (exit, text) = await RunAdminAsync(new Dictionary<string, string>(), commandLine.Split(' '));
        Assert.Equal(2, exit);
        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replay", "--outcome")]
    [InlineData("purge", "--before")]
    [InlineData("reconcile", "--client")]
    public async Task EveryCommand_HasHelp(string command, string option)
    {
        var (exit, text) = await RunAdminAsync(new Dictionary<string, string>(), command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains(option, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_NeedsTheDurableMode()
    {
        var (exit, text) = await RunAdminAsync(new Dictionary<string, string>(), "replay");
        Assert.Equal(2, exit);
        Assert.Contains("replay needs ConnectionStrings:Listo", text, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunAdminAsync(IReadOnlyDictionary<string, string> cluster, params string[] args)
    {
        await using var command = ChildProcess.Start("listo-admin", Repository.Tool("ListoAdmin", "listo-admin"), cluster, args);
        var exit = await command.WaitForExitAsync(CommandTimeout);
        Assert.True(exit is not null, $"listo-admin {string.Join(' ', args)} did not exit within {CommandTimeout.TotalSeconds} s: {command.Output}");
        return (exit.Value, command.Output);
    }

    /// <summary>
    /// How many changes the feed's table holds, and its last id. Read from the table, not the feed: the feed shows a
    /// transaction's rows only once no older transaction runs anywhere on the (shared) server.
    /// </summary>
    private static async Task<(long Count, long LastId)> CountChangesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), coalesce(max(id), 0) FROM listo_changes", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
