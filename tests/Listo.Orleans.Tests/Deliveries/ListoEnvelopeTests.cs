using System.Runtime.InteropServices;
using System.Text;
using Listo.Orleans.Deliveries;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Deliveries;

[Trait(Category.Key, Category.Unit)]
public sealed class ListoEnvelopeTests
{
    [Fact]
    public void TheSnapshotsData_IsASliceOfTheBody_NotACopy()
    {
        var (client, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var id = ListoEvents.NewId("lglsoevt");
        var body = Encoding.UTF8.GetBytes(ListoEvents.Worker(id, ListoEvents.At(1), ListoEvents.WorkerData(client, worker, person)).ToJsonString());

        var snapshot = Assert.IsType<ParsedDelivery.Worker>(ListoEnvelope.Parse(body, id)).Snapshot;

        Assert.True(MemoryMarshal.TryGetArray(snapshot.Data.Utf8, out var segment));
        Assert.Same(body, segment.Array);
        Assert.Equal(ListoEvents.WorkerData(client, worker, person).ToJsonString(), snapshot.Data.ToString());
    }

    [Fact]
    public void InvalidUtf8AnywhereInTheBody_IsInvalid_NotAnException()
    {
        var body = Encoding.UTF8.GetBytes("{\"id\":\"x\",\"type\":\"worker.updated\",\"note\":\"\"}");
        body[^3] = 0xff;

        var invalid = Assert.IsType<ParsedDelivery.Invalid>(ListoEnvelope.Parse(body, "x"));
        Assert.Contains("UTF-8", invalid.Detail, StringComparison.Ordinal);
    }
}
