using Listo.Orleans.Grains;
using Listo.Orleans.Storage;
using Listo.Orleans.Tests.Support;
using Npgsql;

namespace Listo.Orleans.Tests.Durable;

/// <summary>The feed's table on a real PostgreSQL: idempotent appends and a cursor no later commit can pass.</summary>
[Trait(Category.Key, Category.Postgres)]
public sealed class PostgresChangeFeedTests
{
    [Fact]
    public async Task AChangeCommittingLate_IsNotSkipped_ByACursorHandedOutMeanwhile()
    {
        await using var harness = await EngineHarness.CreateAsync("feed", "feed-test");
        var (connectionString, feed) = (harness.ConnectionString, harness.Feed);

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

        await feed.AppendAsync(Change("fast"), null);
        var meanwhile = await feed.ReadAsync(new ChangeQuery(null, 10));
        Assert.Empty(meanwhile.Changes); // "fast" waits behind the running transaction instead of being passed

        await transaction.CommitAsync();
        var after = await ReadUntilAsync(feed, new ChangeQuery(meanwhile.Next, 10), count: 2);
        Assert.Equal(["e-slow", "e-fast"], after.Changes.Select(c => c.Change.EventId));
    }

    [Fact]
    public async Task AppendingAgain_AddsNothing_AndFiltersNarrowToMatchingFields()
    {
        await using var harness = await EngineHarness.CreateAsync("feed", "feed-test");
        var (connectionString, feed) = (harness.ConnectionString, harness.Feed);
        await Task.WhenAll(feed.AppendAsync(Change("1"), null), feed.AppendAsync(Change("2"), null));
        await Task.WhenAll(new[] { "2", "1", "3" }.Select(id => feed.AppendAsync(Change(id), null)));

        var all = await ReadUntilAsync(feed, new ChangeQuery(null, 10), count: 3);
        Assert.Equal(["e-1", "e-2", "e-3"], all.Changes.Select(c => c.Change.EventId));

        var address = await feed.ReadAsync(new ChangeQuery(null, 10, PathPrefix: "address"));
        Assert.All(address.Changes, c => Assert.Equal(["address.city"], c.Change.Fields.Select(f => f.Path)));
        Assert.Empty((await feed.ReadAsync(new ChangeQuery(null, 10, PathPrefix: "addr"))).Changes);
        Assert.Empty((await feed.ReadAsync(new ChangeQuery(all.Next, 10))).Changes);
        Assert.Equal(3, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM listo_changes"));
    }

    [Fact]
    public async Task TransactionIdsWithMoreDigits_SortAfterFewer_AndPagesNeverRepeat()
    {
        // Rows of transactions 99 and 100, long finished (even a fresh server's initdb used hundreds): as text,
        // "100" would sort before "99". Written in the opposite order, so the row ids disagree with it too.
        await using var harness = await EngineHarness.CreateAsync("feed", "feed-test");
        var (connectionString, feed) = (harness.ConnectionString, harness.Feed);
        await ScalarAsync<int>(connectionString, """
            INSERT INTO listo_changes (tx, service_id, entity_type, entity_key, event_id, occurred_at, fields)
            VALUES ('100', 'feed-test', 'worker', 'worker:c/b', 'e-100', '2026-05-03T12:00:00Z', '[]'),
                   ('99',  'feed-test', 'worker', 'worker:c/a', 'e-99',  '2026-05-03T12:00:00Z', '[]')
            RETURNING 0
            """);

        Assert.Equal(["e-99", "e-100"], (await feed.ReadAsync(new ChangeQuery(null, 10))).Changes.Select(c => c.Change.EventId));
        var first = await feed.ReadAsync(new ChangeQuery(null, 1));
        var second = await feed.ReadAsync(new ChangeQuery(first.Next, 1));
        Assert.Equal(["e-99", "e-100"], first.Changes.Concat(second.Changes).Select(c => c.Change.EventId));
        Assert.Empty((await feed.ReadAsync(new ChangeQuery(second.Next, 1))).Changes);
    }

    /// <summary>
    /// Reads until <paramref name="count"/> changes show. A change shows once no older transaction runs on the
    /// server, and other tests share it, so a read right after an append can briefly come back short.
    /// </summary>
    private static async Task<ChangePage> ReadUntilAsync(PostgresChangeFeed feed, ChangeQuery query, int count)
    {
        var page = await feed.ReadAsync(query);
        for (var attempt = 0; attempt < 50 && page.Changes.Count < count; attempt++)
        {
            await Task.Delay(200);
            page = await feed.ReadAsync(query);
        }

        return page;
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task ContentAppendedWithAChange_IsReadBack_TheNewest_AndAnAppendAgainDoesNotReplaceIt()
    {
        await using var harness = await EngineHarness.CreateAsync("feed", "feed-test");
        var (connectionString, feed) = (harness.ConnectionString, harness.Feed);
        var person = Change("1") with { EntityType = EntityTypes.Person, EntityKey = "person:p" };
        Assert.Null(await feed.ReadContentAsync(EntityTypes.Person, "person:p"));

        // Concurrent appends of other entities share the statement; the person's own rows keep their order.
        await Task.WhenAll(
            feed.AppendAsync(person, "{\"phone\":\"1\"}"),
            feed.AppendAsync(Change("2"), null),
            feed.AppendAsync(Change("3"), null));
        await feed.AppendAsync(person with { EventId = "e-later" }, "{\"phone\":\"2\"}");
        await feed.AppendAsync(person, "{\"phone\":\"stale retry\"}");

        Assert.Equal("{\"phone\": \"2\"}", await feed.ReadContentAsync(EntityTypes.Person, "person:p"));
        Assert.Null(await feed.ReadContentAsync(EntityTypes.Worker, "worker:c/2"));
        Assert.Equal(4, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM listo_changes"));
    }

    private static EntityChange Change(string id) => new(
        EntityTypes.Worker, $"worker:c/{id}", "c", id, "p", "e-" + id, "2026-05-03T12:00:00Z",
        [new FieldChange("address.city", "\"A\"", "\"B\""), new FieldChange("phone", "\"1\"", "\"2\"")]);
}
