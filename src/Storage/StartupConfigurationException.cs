namespace Listo.Orleans.Storage;

/// <summary>A required configuration key is missing or invalid; the message names the key and is safe to print.</summary>
public sealed class StartupConfigurationException(string message) : Exception(message)
{
    public StartupConfigurationException()
        : this("Invalid configuration.")
    {
    }

    public StartupConfigurationException(string message, Exception innerException)
        : this(message + " " + innerException?.Message)
    {
    }
}
