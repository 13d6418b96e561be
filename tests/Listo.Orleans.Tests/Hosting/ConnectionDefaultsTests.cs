using Listo.Orleans.Tests.Support;
using Listo.Orleans.Storage;
using Npgsql;

namespace Listo.Orleans.Tests.Hosting;

[Trait(Category.Key, Category.Unit)]
public sealed class ConnectionDefaultsTests
{
    [Fact]
    public void Defaults_AreAdded_WhenTheOperatorSetNone()
    {
        var normalized = new NpgsqlConnectionStringBuilder(ListoDatabase.Normalize("Host=db;Database=listo;Username=listo", "app"));

        Assert.Equal(3, normalized.Timeout);
        Assert.Equal(5, normalized.CommandTimeout);
        Assert.Equal("UTC", normalized.Timezone);
        Assert.Equal("app", normalized.ApplicationName);
        Assert.Equal(ListoDatabase.AutoPreparedStatements, normalized.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0;Timeout=10;Command Timeout=30;Timezone=Europe/Berlin;Application Name=ops")]
    [InlineData("MaxAutoPrepare=0;Timeout=10;CommandTimeout=30;Timezone=Europe/Berlin;ApplicationName=ops")]
    public void OperatorChoices_AreKept(string given)
    {
        var normalized = new NpgsqlConnectionStringBuilder(ListoDatabase.Normalize("Host=db;Database=listo;" + given, "app"));

        Assert.Equal(0, normalized.MaxAutoPrepare);
        Assert.Equal(10, normalized.Timeout);
        Assert.Equal(30, normalized.CommandTimeout);
        Assert.Equal("Europe/Berlin", normalized.Timezone);
        Assert.Equal("ops", normalized.ApplicationName);
    }
}
