using Listo.Orleans.Deliveries;
using Listo.Orleans.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Listo.Orleans.Hosting;

/// <summary>Registers the delivery journal: PostgreSQL in durable mode, memory in the embedded mode.</summary>
public static class ListoJournal
{
    public static IServiceCollection AddListoJournal(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<JournalOptions>().BindConfiguration(JournalOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JournalOptions>, JournalOptionsValidator>();
        if (ListoSilo.IsEmbedded(configuration))
        {
            // The one the silo's grains record into (ListoSilo.AddListoStorage).
            services.AddSingleton<IDeliveryJournal>(sp => sp.GetRequiredService<InMemoryDeliveryJournal>());
        }
        else
        {
            // The service id the co-hosted silo runs with, as for the change feed.
            services.AddSingleton<IDeliveryJournal>(sp => CreatePostgres(configuration, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        }

        services.AddHostedService<JournalRetention>();
        return services;
    }

    /// <summary>
    /// The durable journal of the configured deployment: its connection string, and <paramref name="serviceId"/>
    /// (default: <c>Orleans:ServiceId</c>, what a silo of this configuration runs with).
    /// </summary>
    public static PostgresDeliveryJournal CreatePostgres(IConfiguration configuration, string? serviceId = null)
        => PostgresDeliveryJournal.Create(ListoSilo.DurableConnectionString(configuration), serviceId ?? ListoOrleansOptions.Read(configuration).ServiceId);
}
