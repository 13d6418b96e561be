namespace Listo.Orleans.Grains;

/// <summary>A worker engagement: its newest snapshot and the ids it applied recently.</summary>
[GenerateSerializer, Alias("listo.worker-state")]
public sealed class WorkerState : EntityState<WorkerSnapshot>
{
    protected override EventStamp StampOf(WorkerSnapshot snapshot) => snapshot.Stamp;
}
