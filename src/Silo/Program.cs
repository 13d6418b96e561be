using Listo.Orleans.Hosting;

try
{
    var builder = Host.CreateApplicationBuilder(args);
    ListoSilo.ValidateMode(builder.Configuration, builder.Environment);
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
