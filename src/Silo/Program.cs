using Listo.Orleans.Hosting;

// dotnet run --project src/Silo                 a headless silo joining the configured cluster
// dotnet run --project src/Silo -- migrate      applies the PostgreSQL schema, then exits
try
{
    var migrate = args.Length > 0 && args[0] == "migrate";
    var builder = Host.CreateApplicationBuilder(migrate ? args[1..] : args);
    if (migrate)
    {
        if (ListoSilo.IsEmbedded(builder.Configuration))
        {
            throw new StartupConfigurationException($"migrate needs {ListoSilo.ConnectionStringKey} (ConnectionStrings__Listo=Host=...;Database=...).");
        }

        await ListoSchema.MigrateAsync(ListoSilo.DurableConnectionString(builder.Configuration), Console.Out);
        return 0;
    }

    ListoSilo.ValidateMode(builder.Configuration, builder.Environment);
    await ListoSilo.RequireSchemaAsync(builder.Configuration);
    builder.UseOrleans(silo => silo.ConfigureListoSilo(builder.Configuration));
    using var host = builder.Build();
    await host.RunAsync();
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
