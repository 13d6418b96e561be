using System.Net;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Durable;

/// <summary>The durable gateway executable when a storage engine flush fails as a whole.</summary>
[Trait(Category.Key, Category.Process)]
public sealed class FailedFlushTests
{
    [Fact]
    public async Task AFailedFlush_Answers503ToEveryDeliveryInIt_AndAResendConverges()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("flushfail");
        await using var gateway = await GatewayProcess.StartAsync(GatewayProcess.ClusterSettings(connectionString, "flush-fail"));
        var person = ListoEvents.NewId("lglsowpf");
        var client = ListoEvents.NewId("lglsocli");
        var deliveries = Enumerable.Range(0, 12).Select(i => ListoEvents.Worker(
            ListoEvents.NewId("lglsoevt"), ListoEvents.At(i), ListoEvents.WorkerData(client, ListoEvents.NewId("lglsowpr"), person, city: "City " + i), "worker.onboarded")).ToList();

        // PostgreSQL refuses every grain state row while the rule stands: every flush carrying one fails whole.
        await ExecuteAsync(connectionString, "ALTER TABLE listo_grain_state ADD CONSTRAINT test_outage CHECK (false) NOT VALID");
        var refused = await Task.WhenAll(deliveries.Select(async d =>
        {
            using var response = await gateway.PostAsync(d);
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter is not null);
        }));
        Assert.All(refused, r => Assert.Equal((HttpStatusCode.ServiceUnavailable, true), r));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_grain_state"));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_changes"));

        // Listo resends: every delivery is applied once and reads back.
        await ExecuteAsync(connectionString, "ALTER TABLE listo_grain_state DROP CONSTRAINT test_outage");
        await Task.WhenAll(deliveries.Select(d => gateway.DeliverAsync(d, "applied")));
        foreach (var d in deliveries)
        {
            var (status, worker) = await gateway.GetAsync($"/v1/clients/{client}/workers/{(string)d["data"]!["workerId"]!}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal((string)d["id"]!, worker.GetProperty("eventId").GetString());
        }

        var (_, workers) = await gateway.GetAsync($"/v1/clients/{client}/workers");
        Assert.Equal(deliveries.Count, workers.GetProperty("workers").GetArrayLength());
        Assert.Equal(deliveries.Count, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_changes WHERE entity_type = 'worker'"));
        Assert.Equal(deliveries.Count, await ScalarAsync(connectionString, "SELECT count(*) FROM listo_deliveries WHERE outcome = 'applied'"));
    }

    private static Task ExecuteAsync(string connectionString, string sql) => Sql.ExecuteAsync(connectionString, sql);

    private static Task<long> ScalarAsync(string connectionString, string sql) => Sql.ScalarAsync<long>(connectionString, sql);
}
