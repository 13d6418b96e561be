using Listo.Orleans.Hosting.Operations;
using Listo.Orleans.Hosting;
using Listo.Orleans.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

// dotnet run --project src/Silo                 a headless silo joining the configured cluster; its only HTTP is
//                                               the internal listener (Silo:InternalUrl): /health/*, /metrics
// dotnet run --project src/Silo -- migrate      applies the PostgreSQL schema, then exits (the Kubernetes Job)
// Operator commands (replay, purge) are in tools/ListoAdmin.
try
{
    var migrate = args.Length > 0 && args[0] == "migrate";
    if (migrate)
    {
        var builder = Host.CreateApplicationBuilder(args[1..]);
        if (ListoSilo.IsEmbedded(builder.Configuration))
        {
            throw new StartupConfigurationException($"migrate needs {ListoSilo.ConnectionStringKey} (ConnectionStrings__Listo=Host=...;Database=...).");
        }

        await ListoSchema.MigrateAsync(ListoSilo.DurableConnectionString(builder.Configuration), Console.Out);
        return 0;
    }

    // appsettings.json is read from beside the executable, whatever directory the process starts in.
    var web = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    ListoSilo.ValidateMode(web.Configuration, web.Environment);
    var listen = ListenAddress.Parse(ListenAddress.SiloInternalUrlKey, web.Configuration[ListenAddress.SiloInternalUrlKey] ?? ListenAddress.SiloInternalUrlDefault);
    web.WebHost.ConfigureKestrel(kestrel =>
    {
        kestrel.AddServerHeader = false;
        kestrel.Listen(listen);
    });
    web.AddListoOperations("silo");
    web.UseOrleans(silo => silo.ConfigureListoSilo(web.Configuration));
    await using var app = web.Build();
    await ListoSilo.RequireSchemaAsync(app.Configuration);
    app.MapListoHealth();
    app.MapListoMetrics();
    await app.RunAsync();
    return 0;
}
catch (StartupConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
    return 2;
}
catch (Npgsql.NpgsqlException ex)
{
    await Console.Error.WriteLineAsync($"PostgreSQL error: {ex.Message}");
    return 3;
}
