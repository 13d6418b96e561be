using System.Text.Json;
using Listo.Bench.LoadGen;

Options options;
try
{
    options = Options.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine($"listo-loadgen: {ex.Message}\n{Options.Usage}");
    return 2;
}

var workload = Workload.Generate(options);
Console.Error.WriteLine($"[{options.Name}] {workload.Deliveries.Count} deliveries ({workload.DistinctEvents} distinct events, {workload.Workers.Count} workers, {options.People} people, {options.Clients} clients), " +
    $"read share {options.ReadShare:P0}, concurrency {options.Concurrency}, rate {(options.Rate > 0 ? options.Rate + "/s" : "full speed")}");
using var runner = new Runner(options, workload);
var result = await runner.RunAsync();

Console.Error.WriteLine(
    $"[{result.Name}] {result.DeliveriesPerSecond:0} deliveries/s, {result.ReadsPerSecond:0} reads/s over {result.Seconds:0.0} s; " +
    $"ack ms p50 {result.AckLatencyMs.P50:0.0} p90 {result.AckLatencyMs.P90:0.0} p99 {result.AckLatencyMs.P99:0.0} max {result.AckLatencyMs.Max:0}; " +
    $"read ms p50 {result.ReadLatencyMs.P50:0.0} p99 {result.ReadLatencyMs.P99:0.0}; " +
    $"outcomes {string.Join(", ", result.Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}; errors {result.Errors}{(result.FirstError is null ? "" : $" (first: {result.FirstError})")}; " +
    $"final state {(options.Check ? $"{result.WorkersChecked - result.Mismatches}/{result.WorkersChecked} workers match" : "not checked")}");
var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
if (options.Output is not null)
{
    await File.WriteAllTextAsync(options.Output, json);
}

return result.Errors == 0 && result.Mismatches == 0 ? 0 : 1;
