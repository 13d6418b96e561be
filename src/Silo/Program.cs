using Listo.Orleans.Hosting.Operations;
using Listo.Orleans.Hosting;
using Listo.Orleans.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

// dotnet run --project src/Silo                 a headless silo joining the configured cluster; its only HTTP is
//                                               the internal listener (Silo:InternalUrl): /health/*, /metrics
// dotnet run --project src/Silo -- migrate      applies the PostgreSQL schema, then exits (the Kubernetes Job)
// Operator commands (replay, purge, reconcile) are in tools/ListoAdmin. Exit codes: ListoHost.
return await ListoHost.RunAsync(async () =>
{
    if (args.Length > 0 && args[0] == "migrate")
    {
        var builder = Host.CreateApplicationBuilder(args[1..]);
        var mode = StorageMode.From(builder.Configuration);
        mode.RequireDurable("migrate");
        await ListoSchema.MigrateAsync(mode.ConnectionString, Console.Out);
        return 0;
    }

    // appsettings.json is read from beside the executable, whatever directory the process starts in.
    var web = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    StorageMode.From(web.Configuration).RequireAllowedIn(web.Environment);
    var listener = ListoOptions.Read(web.Configuration, SiloListenerOptions.Section, new SiloListenerOptionsValidator());
    web.Services.AddValidatedOptions<SiloListenerOptions, SiloListenerOptionsValidator>(SiloListenerOptions.Section);
    web.WebHost.ConfigureKestrel(kestrel =>
    {
        kestrel.AddServerHeader = false;
        kestrel.Listen(ListenAddress.Parse("Silo:InternalUrl", listener.InternalUrl));
    });
    web.AddListoOperations("silo");
    web.UseOrleans(silo => silo.ConfigureListoSilo(web.Configuration));
    await using var app = web.Build();
    await ListoHost.CheckAsync(app.Services);
    app.MapListoHealth();
    app.MapListoMetrics();
    await app.RunAsync();
    return 0;
});
