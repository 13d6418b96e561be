using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Storage;

/// <summary>
/// Options, one way: every options class is bound from its section, validated by its validator, and checked when the
/// host starts (<see cref="AddValidatedOptions{TOptions, TValidator}"/>). A few are also needed before the container
/// exists, because they choose what is registered or how the host is built (the storage mode, the silo's ports, the
/// listeners, the telemetry exporters); those are read with <see cref="Read{TOptions}"/> and the same validator, so
/// a bad value is the same one line either way.
/// </summary>
public static class ListoOptions
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, validated by <typeparamref name="TValidator"/> when the host starts.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>Section <paramref name="section"/> bound to a new <typeparamref name="TOptions"/> (defaults for absent keys), validated by <paramref name="validator"/>.</summary>
    public static TOptions Read<TOptions>(IConfiguration configuration, string section, IValidateOptions<TOptions> validator)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(validator);
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        return validator.Validate(Options.DefaultName, options) is { Failed: true } invalid
            ? throw new StartupConfigurationException(invalid.FailureMessage ?? $"{section} is invalid.")
            : options;
    }
}
