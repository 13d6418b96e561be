using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Listo.Orleans.Grains;

/// <summary>
/// Fails the silo's start when the grain storage the grains write through (<see cref="StateNames.Storage"/>) cannot
/// carry their outboxes (<see cref="IOutboxGrainStorage"/>): such a storage would write the states and silently drop
/// their changes and journal entries.
/// </summary>
public sealed class OutboxStorageCheck(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(OutboxStorageCheck), ServiceLifecycleStage.RuntimeInitialize, _ =>
        {
            var storage = services.GetKeyedService<IGrainStorage>(StateNames.Storage);
            if (storage is not IOutboxGrainStorage)
            {
                throw new InvalidOperationException(
                    $"The grain storage '{StateNames.Storage}' ({storage?.GetType().Name ?? "not registered"}) does not carry the rows that ride " +
                    $"with a state write ({nameof(IOutboxGrainStorage)}); register it with AddListoStorage.");
            }

            return Task.CompletedTask;
        });
    }
}
