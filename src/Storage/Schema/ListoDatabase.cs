using System.Data.Common;
using Npgsql;

namespace Listo.Orleans.Storage;

/// <summary>The PostgreSQL connection string as every part of the cluster uses it.</summary>
public static class ListoDatabase
{
    /// <summary>The configuration key of the connection string (<c>ConnectionStrings__Listo</c> in the environment).</summary>
    public const string ConnectionStringKey = "ConnectionStrings:Listo";

    /// <summary>The ADO.NET invariant the Orleans providers load Npgsql by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Statements each connection keeps prepared: the storage provider's read, write and clear, and the membership
    /// queries, with room to spare.
    /// </summary>
    public const int AutoPreparedStatements = 32;

    /// <summary>
    /// Adds the defaults a webhook receiver needs when the operator did not set them: short connect and command
    /// timeouts (an outage must become a fast 503, not a hung request), UTC session time, and automatic
    /// preparation of the providers' few statements (they are sent as text on every call; prepared, PostgreSQL
    /// stops parsing and planning them, which took a third of its CPU in the ingest benchmark).
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

        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = AutoPreparedStatements;
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
