using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Listo.Orleans.Storage;

/// <summary>
/// The one decision of where state lives: embedded, the storage engine or Orleans' ADO.NET provider, and whether
/// deliveries are journaled. Made once from configuration by <see cref="From"/> (the only reader of
/// <c>ConnectionStrings:Listo</c>, <c>Storage:Provider</c> and <c>Journal:Enabled</c>) and registered by
/// <see cref="ListoStorage.AddListoStorage"/>; everything else asks the registered instance.
/// </summary>
public sealed class StorageMode
{
    /// <summary>Name of the connection string (<c>ConnectionStrings:Listo</c>) that selects durable mode.</summary>
    public const string ConnectionStringName = "Listo";

    /// <summary>The configuration key of the connection string (<c>ConnectionStrings__Listo</c> in the environment).</summary>
    public const string ConnectionStringKey = ListoDatabase.ConnectionStringKey;

    private readonly string? _connectionString;

    private StorageMode(StorageKind kind, string? connectionString, StorageEngineOptions engine, bool journal)
    {
        Kind = kind;
        _connectionString = connectionString;
        Engine = engine;
        JournalEnabled = journal;
    }

    public StorageKind Kind { get; }

    public bool IsEmbedded => Kind == StorageKind.Embedded;

    /// <summary>The storage engine's bounds (validated).</summary>
    public StorageEngineOptions Engine { get; }

    /// <summary>Whether authentic deliveries are journaled (<c>Journal:Enabled</c>).</summary>
    public bool JournalEnabled { get; }

    /// <summary>The connection string with the defaults of <see cref="ListoDatabase.Normalize"/>; durable modes only.</summary>
    public string ConnectionString => _connectionString
        ?? throw new StartupConfigurationException($"{ConnectionStringKey} is required for durable mode.");

    /// <summary>The mode <paramref name="configuration"/> selects; a bad value fails with one line naming its key.</summary>
    public static StorageMode From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var journal = ListoOptions.Read(configuration, JournalOptions.Section, new JournalOptionsValidator()).Enabled;
        var engine = ListoOptions.Read(configuration, StorageEngineOptions.Section, new StorageEngineOptionsValidator());
        var raw = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return new StorageMode(StorageKind.Embedded, null, engine, journal);
        }

        string normalized;
        try
        {
            normalized = ListoDatabase.Normalize(raw, "listo-orleans");
        }
        catch (ArgumentException ex)
        {
            throw new StartupConfigurationException($"{ConnectionStringKey} is not a valid Npgsql connection string: {ex.Message}");
        }

        var kind = engine.Provider == StorageProviders.AdoNet ? StorageKind.AdoNet : StorageKind.Engine;
        return new StorageMode(kind, normalized, engine, journal);
    }

    /// <summary>The mode <see cref="ListoStorage.AddListoStorage"/> registered in <paramref name="services"/>, for configuration that runs before the container exists.</summary>
    public static StorageMode Registered(IServiceCollection services)
        => services.LastOrDefault(d => d.ServiceType == typeof(StorageMode))?.ImplementationInstance as StorageMode
            ?? throw new InvalidOperationException("AddListoStorage has not been called on this silo.");

    /// <summary>Fails with one line unless this mode may run in <paramref name="environment"/>: the embedded mode is for Development only.</summary>
    public void RequireAllowedIn(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (IsEmbedded && !environment.IsDevelopment())
        {
            throw new StartupConfigurationException(
                $"{ConnectionStringKey} is required outside Development (environment '{environment.EnvironmentName}'); " +
                "the embedded in-memory mode runs only in Development.");
        }
    }

    /// <summary>Fails with one line naming <paramref name="command"/> unless this mode is durable.</summary>
    public void RequireDurable(string command)
    {
        if (IsEmbedded)
        {
            throw new StartupConfigurationException(
                $"{command} needs {ConnectionStringKey} (ConnectionStrings__Listo=Host=...;Database=...): it works on a durable cluster's PostgreSQL, " +
                "and the embedded mode keeps everything in the gateway's memory.");
        }
    }

    /// <summary>In durable mode, fails with one line unless the schema this build needs is in place.</summary>
    public Task RequireSchemaAsync(CancellationToken cancellationToken = default)
        => IsEmbedded ? Task.CompletedTask : ListoSchema.RequireCurrentAsync(ConnectionString, cancellationToken);
}
