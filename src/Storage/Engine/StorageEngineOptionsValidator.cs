using Microsoft.Extensions.Options;

namespace Listo.Orleans.Storage;

/// <summary>Validates <see cref="StorageEngineOptions"/>: a known provider and positive flush and read bounds.</summary>
public sealed class StorageEngineOptionsValidator : IValidateOptions<StorageEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider is not (StorageProviders.Engine or StorageProviders.AdoNet)
            ? ValidateOptionsResult.Fail($"Storage:Provider must be '{StorageProviders.Engine}' or '{StorageProviders.AdoNet}', got '{options.Provider}'.")
            : options.MaxFlushRows < 1 || options.MaxFlushBytes < 1 || options.MaxReadBatch < 1
                ? ValidateOptionsResult.Fail("Storage:MaxFlushRows, Storage:MaxFlushBytes and Storage:MaxReadBatch must be at least 1.")
                : ValidateOptionsResult.Success;
    }
}
