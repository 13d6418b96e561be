using Listo.Orleans.Tests.Support;
using System.Text.Json.Nodes;
using CsCheck;
using Listo.Orleans.Grains;

namespace Listo.Orleans.Tests.Changes;

/// <summary>
/// The streaming fingerprint against the diff it stands in front of: same canonical content gives the same
/// fingerprint, and any content the diff reports as changed gives another one.
/// </summary>
[Trait(Category.Key, Category.Unit)]
public sealed class ContentHashTests
{
    private static readonly Gen<JsonNode?> Leaf = Gen.OneOf(
        Gen.Int[-1000, 1000].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Double[-1e6, 1e6].Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.String[Gen.Char.AlphaNumeric, 0, 8].Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Int[0, 4].Select(i => i switch
        {
            0 => (JsonNode?)null,
            1 => JsonValue.Create(true),
            2 => JsonValue.Create(false),
            3 => JsonValue.Create("São Paulo"),
            _ => JsonValue.Create("a\"b\\c"),
        }));

    private static readonly Gen<string> Name = Pick("id", "city", "phone", "status", "name", "contracts", "address", "tags", "zoneCode");

    private static readonly Gen<JsonObject> Snapshot = Node(3).Select(n => n as JsonObject ?? new JsonObject { ["value"] = n });

    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static Gen<JsonNode?> Node(int depth) => depth == 0 ? Leaf : Gen.Frequency(
        (3, Leaf),
        (2, Gen.Dictionary(Name, Node(depth - 1))[0, 5].Select(d => (JsonNode?)new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, kv.Value))))),
        (1, Node(depth - 1).List[0, 3].Select(items => (JsonNode?)new JsonArray([.. items]))),
        (1, Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 4], Node(depth - 1))[1, 4]
            .Select(d => (JsonNode?)new JsonArray([.. d.Select(kv => (JsonNode?)new JsonObject { ["id"] = "c" + kv.Key, ["v"] = kv.Value })]))));

    [Fact]
    public void ReorderedMembersAndIdArrays_HaveTheSameFingerprint_AndTheDiffFindsNothing()
        => Snapshot.Select(Gen.Int).Sample((snapshot, seed) =>
        {
            var text = snapshot.ToJsonString();
            var shuffled = Shuffle(JsonNode.Parse(text), new Random(seed))!.ToJsonString();
            return ContentHash.Of(text) == ContentHash.Of(shuffled) && JsonChanges.Diff(text, shuffled).Count == 0;
        });

    [Fact]
    public void WhateverTheDiffReports_ChangesTheFingerprint()
        => Snapshot.Select(Snapshot).Sample((a, b) =>
        {
            var (before, after) = (a.ToJsonString(), b.ToJsonString());
            return JsonChanges.Diff(before, after).Count == 0 || ContentHash.Of(before) != ContentHash.Of(after);
        });

    [Fact]
    public void AProfileFingerprint_IsTheFingerprintOfTheProfileJson()
    {
        var snapshot = ListoEventsSnapshot();
        Assert.Equal(ContentHash.Of(PersonViewBuilder.ProfileJson(snapshot)), PersonViewBuilder.ProfileHash(snapshot));
    }

    [Fact]
    public void EscapedAndPlainSpellingsOfOneString_AreOneFingerprint()
        => Assert.Equal(ContentHash.Of("""{"city":"S\u00e3o Paulo"}"""), ContentHash.Of("""{"city":"São Paulo"}"""));

    private static WorkerSnapshot ListoEventsSnapshot() => Support.ListoEvents.Snapshot("lglsocli_hash00001", "lglsowpr_hash00001", "lglsowpf_hash00001", "e1", 1, "Zürich");

    private static JsonNode? Shuffle(JsonNode? node, Random random)
    {
        switch (node)
        {
            case JsonObject o:
                var members = o.Select(m => (m.Key, Value: m.Value?.DeepClone())).OrderBy(_ => random.Next()).ToList();
                return new JsonObject(members.Select(m => KeyValuePair.Create(m.Key, Shuffle(m.Value, random))));
            case JsonArray a:
                var items = a.Select(i => Shuffle(i?.DeepClone(), random)).ToList();
                var byId = items.All(i => i is JsonObject e && e["id"] is JsonValue v && v.TryGetValue<string>(out _))
                    && items.Select(i => (string)i!["id"]!).Distinct().Count() == items.Count;
                return new JsonArray([.. byId ? items.OrderBy(_ => random.Next()) : (IEnumerable<JsonNode?>)items]);
            default:
                return node;
        }
    }
}
