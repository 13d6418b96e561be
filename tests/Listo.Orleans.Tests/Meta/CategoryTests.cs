using System.Reflection;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Meta;

[Trait(Category.Key, Category.Unit)]
public sealed class CategoryTests
{
    private static readonly string[] Known = [Category.Unit, Category.Postgres, Category.Cluster, Category.Process, Category.Manifests];

    [Fact]
    public void EveryTestClass_HasExactlyOneKnownCategory()
    {
        var classes = typeof(CategoryTests).Assembly.GetTypes()
            .Where(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                .Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .ToList();
        Assert.NotEmpty(classes);
        var wrong = classes
            .Select(t => (Type: t, Categories: t.GetCustomAttributesData()
                .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == Category.Key)
                .Select(a => (string?)a.ConstructorArguments[1].Value)
                .ToList()))
            .Where(c => c.Categories.Count != 1 || !Known.Contains(c.Categories[0]))
            .Select(c => $"{c.Type.Name}: [{string.Join(", ", c.Categories)}]")
            .ToList();
        Assert.True(wrong.Count == 0, "Test classes without exactly one known category: " + string.Join("; ", wrong));
    }
}
