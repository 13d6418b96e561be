using Listo.Orleans.Grains;
using Listo.Orleans.Hosting;
using Listo.Orleans.Tests.Support;
using Npgsql;

namespace Listo.Orleans.Tests.Durable;

/// <summary>The feed's table on a real PostgreSQL: idempotent appends and a cursor no later commit can pass.</summary>
public sealed class PostgresChangeFeedTests
{
    [Fact]
    public async Task AChangeCommittingLate_IsNotSkipped_ByACursorHandedOutMeanwhile()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("feed");
        await using var feed = new PostgresChangeFeed(NpgsqlDataSource.Create(connectionString), "feed-test");

        // A writer whose transaction started first (lower transaction id) but commits last.
        await using var slow = new NpgsqlConnection(connectionString);
        await slow.OpenAsync();
        await using var transaction = await slow.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO listo_changes (service_id, entity_type, entity_key, event_id, occurred_at, fields)
            VALUES ('feed-test', 'worker', 'worker:c/slow', 'e-slow', '2026-05-03T12:00:00Z', '[]')
            """, slow, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await feed.AppendAsync([Change("fast")]);
        var meanwhile = await feed.ReadAsync(new ChangeQuery(null, 10));
        Assert.Empty(meanwhile.Changes); // "fast" waits behind the running transaction instead of being passed

        // Once it commits, both appear in commit-independent order. Other tests' transactions on this server can
        // hold the horizon back a little longer, so read until they show.
        await transaction.CommitAsync();
        var after = await feed.ReadAsync(new ChangeQuery(meanwhile.Next, 10));
        for (var attempt = 0; attempt < 50 && after.Changes.Count < 2; attempt++)
        {
            await Task.Delay(200);
            after = await feed.ReadAsync(new ChangeQuery(meanwhile.Next, 10));
        }

        Assert.Equal(["e-slow", "e-fast"], after.Changes.Select(c => c.Change.EventId));
    }

    [Fact]
    public async Task AppendingAgain_AddsNothing_AndFiltersNarrowToMatchingFields()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("feed");
        await using var feed = new PostgresChangeFeed(NpgsqlDataSource.Create(connectionString), "feed-test");
        await feed.AppendAsync([Change("1"), Change("2")]);
        await feed.AppendAsync([Change("2"), Change("1"), Change("3")]);

        var all = await feed.ReadAsync(new ChangeQuery(null, 10));
        for (var attempt = 0; attempt < 50 && all.Changes.Count < 3; attempt++)
        {
            await Task.Delay(200);
            all = await feed.ReadAsync(new ChangeQuery(null, 10));
        }

        Assert.Equal(["e-1", "e-2", "e-3"], all.Changes.Select(c => c.Change.EventId));

        var address = await feed.ReadAsync(new ChangeQuery(null, 10, PathPrefix: "address"));
        Assert.All(address.Changes, c => Assert.Equal(["address.city"], c.Change.Fields.Select(f => f.Path)));
        Assert.Empty((await feed.ReadAsync(new ChangeQuery(null, 10, PathPrefix: "addr"))).Changes);
        Assert.Empty((await feed.ReadAsync(new ChangeQuery(all.Next, 10))).Changes);
        Assert.Equal(3, await CountAsync(connectionString));
    }

    private static async Task<long> CountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM listo_changes", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static EntityChange Change(string id) => new(
        EntityTypes.Worker, $"worker:c/{id}", "c", id, "p", "e-" + id, "2026-05-03T12:00:00Z",
        [new FieldChange("address.city", "\"A\"", "\"B\""), new FieldChange("phone", "\"1\"", "\"2\"")]);
}
