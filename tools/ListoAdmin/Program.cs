using System.CommandLine;
using Listo.Orleans.Admin;
using Listo.Orleans.Storage;

// dotnet run --project tools/ListoAdmin -- <command> [options] [--Section:Key=value ...]
//   replay   re-applies journaled deliveries through the running cluster
//   purge    deletes journaled deliveries older than the retention
//   reconcile refetches every known client and worker from Listo through links.self
// Configuration is read as a silo reads it (environment, ConnectionStrings__Listo=...), and --Section:Key=value
// arguments add to it. Exit codes: 0 done, 1 some deliveries not applied or entities not refetched, 2 usage or configuration, 3 PostgreSQL.
var parsed = AdminCommands.Create(Console.Out).Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"Usage error: {error.Message}");
    }

    await Console.Error.WriteLineAsync("See --help.");
    return AdminCommands.UsageExit;
}

try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (StartupConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
    return AdminCommands.UsageExit;
}
catch (Npgsql.NpgsqlException ex)
{
    await Console.Error.WriteLineAsync($"PostgreSQL error: {ex.Message}");
    return 3;
}
