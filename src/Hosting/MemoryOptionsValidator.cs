using Microsoft.Extensions.Options;

namespace Listo.Orleans.Hosting;

internal sealed class MemoryOptionsValidator : IValidateOptions<MemoryOptions>
{
    public ValidateOptionsResult Validate(string? name, MemoryOptions options)
    {
        var failures = new List<string>();
        if (options.CollectionQuantumSeconds is < 1 or > 3600)
        {
            failures.Add("Memory:CollectionQuantumSeconds must be from 1 to 3600.");
        }

        foreach (var (key, value) in new[] { ("EntityCollectionAgeSeconds", options.EntityCollectionAgeSeconds), ("ClientCollectionAgeSeconds", options.ClientCollectionAgeSeconds) })
        {
            if (value <= options.CollectionQuantumSeconds || value > 86_400)
            {
                failures.Add($"Memory:{key} ({value}) must be above Memory:CollectionQuantumSeconds ({options.CollectionQuantumSeconds}) and at most 86400.");
            }
        }

        if (options.SheddingTargetPercent < 1 || options.SheddingTargetPercent >= options.SheddingPercent || options.SheddingPercent >= options.RejectPercent || options.RejectPercent > 100)
        {
            failures.Add(
                $"Memory percentages must rise: 0 < SheddingTargetPercent ({options.SheddingTargetPercent}) < SheddingPercent ({options.SheddingPercent}) " +
                $"< RejectPercent ({options.RejectPercent}) <= 100.");
        }

        if (options.DirectoryCacheSize is < 1_000 or > 10_000_000)
        {
            failures.Add("Memory:DirectoryCacheSize must be from 1000 to 10000000.");
        }

        if (options.RetryAfterSeconds is < 1 or > 300)
        {
            failures.Add("Memory:RetryAfterSeconds must be from 1 to 300.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
