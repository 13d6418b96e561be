using Listo.Orleans.Tests.Support;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Tests.Changes;

[Trait(Category.Key, Category.Unit)]
public sealed class JsonChangesTests
{
    private const string Before = """
        {"phone":"+1 202","address":{"city":"Springfield","postalCode":"97402"},
         "contracts":[{"id":"c1","status":"DRAFT"},{"id":"c2","status":"EXECUTED"}],"tags":["a","b"]}
        """;

    [Fact]
    public void ReorderedContractsAndMembers_HashTheSame_AndDiffToNothing()
    {
        const string reordered = """
            {"tags":["a","b"],"contracts":[{"status":"EXECUTED","id":"c2"},{"id":"c1","status":"DRAFT"}],
             "address":{"postalCode":"97402","city":"Springfield"},"phone":"+1 202"}
            """;
        Assert.Equal(ContentHash.Of(Before), ContentHash.Of(reordered));
        Assert.Empty(JsonChanges.Diff(Before, reordered));
    }

    [Fact]
    public void NestedFieldsAndContractsById_AreReportedByPath_WithOldAndNewJsonValues()
    {
        const string after = """
            {"phone":"+1 303","address":{"city":"Shelbyville","postalCode":"97402","zoneCode":"OR"},
             "contracts":[{"id":"c2","status":"TERMINATED"},{"id":"c3","status":"DRAFT"}],"tags":["b","a"]}
            """;
        var changes = JsonChanges.Diff(Before, after).Select(c => $"{c.Path}: {c.From} -> {c.To}").ToList();
        Assert.Equal(
            [
                "address.city: \"Springfield\" -> \"Shelbyville\"",
                "address.zoneCode: null -> \"OR\"",
                "contracts[id=c1]: {\"id\":\"c1\",\"status\":\"DRAFT\"} -> null",
                "contracts[id=c2].status: \"EXECUTED\" -> \"TERMINATED\"",
                "contracts[id=c3]: null -> {\"id\":\"c3\",\"status\":\"DRAFT\"}",
                "phone: \"+1 202\" -> \"+1 303\"",
                "tags: [\"a\",\"b\"] -> [\"b\",\"a\"]", // an array without ids keeps its order: reordering it is a change
            ],
            changes);
        Assert.NotEqual(ContentHash.Of(Before), ContentHash.Of(after));
    }

    [Fact]
    public void FirstSnapshot_IsADiffAgainstNothing_AndAbsentEqualsNull()
    {
        Assert.Equal(["address", "contracts", "phone", "tags"], JsonChanges.Diff(null, Before).Select(c => c.Path));
        Assert.Empty(JsonChanges.Diff("""{"a":null}""", """{}"""));
    }
}
