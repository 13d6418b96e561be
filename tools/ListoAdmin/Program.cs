using System.CommandLine;
using Listo.Orleans.Admin;
using Listo.Orleans.Hosting;

// dotnet run --project tools/ListoAdmin -- <command> [options] [--Section:Key=value ...]
//   replay   re-applies journaled deliveries through the running cluster
//   purge    deletes journaled deliveries older than the retention
//   reconcile refetches every known client and worker from Listo through links.self
// Configuration is read as a silo reads it (environment, ConnectionStrings__Listo=...), and --Section:Key=value
// arguments add to it.
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

// Exit codes: ListoHost (0 done, 2 configuration, 3 PostgreSQL), and 1 when some deliveries were not applied or entities not refetched.
return await ListoHost.RunAsync(() => parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
