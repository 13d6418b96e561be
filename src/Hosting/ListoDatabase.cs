using System.Data.Common;
using Npgsql;

namespace Listo.Orleans.Hosting;

/// <summary>The PostgreSQL connection string as every part of the cluster uses it.</summary>
public static class ListoDatabase
{
    /// <summary>The ADO.NET invariant the Orleans providers load Npgsql by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Adds the defaults a webhook receiver needs when the operator did not set them: short connect and command
    /// timeouts (an outage must become a fast 503, not a hung request) and UTC session time.
    /// </summary>
    public static string Normalize(string connectionString, string applicationName)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Timeout"))
        {
            builder.Timeout = 3;
        }

        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout"))
        {
            builder.CommandTimeout = 5;
        }

        if (!given.ContainsKey("Timezone"))
        {
            builder.Timezone = "UTC";
        }

        if (!given.ContainsKey("Application Name") && !given.ContainsKey("ApplicationName"))
        {
            builder.ApplicationName = applicationName;
        }

        return builder.ConnectionString;
    }

    /// <summary>The host and database a connection string names, for messages (never the password).</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
    }
}
