using CsCheck;
using ImageFactory.Engine.Configuration;

namespace ImageFactory.Engine.Tests.Configuration;

public sealed class VmNamingTests
{
    private static readonly string[] PinnedNames =
    [
        "2019.json -> vm2019-dnw9",
        "Win2012R2/VS2015 Enterprise with Azure SDK.json -> vs2015ente-uc5p",
        "Win2016/Datacenter.json -> datacenter-u6e6",
        "___.json -> vm-cu5r",
    ];

    [Fact]
    public void Same_file_name_in_different_folders_gets_different_names()
    {
        var names = VmNaming.AssignVmNames(["Win2016/Datacenter.json", "Win2019/Datacenter.json"]);

        Assert.NotEqual(names["Win2016/Datacenter.json"], names["Win2019/Datacenter.json"], StringComparer.OrdinalIgnoreCase);
        Assert.All(names.Values, name => Assert.Matches("^datacenter-[0-9a-z]{4}$", name));
    }

    [Fact]
    public void Names_are_pinned_so_a_change_of_rule_is_noticed()
    {
        // VM names are looked up by later factory runs; changing the rule renames every VM, so it must be deliberate.
        var names = VmNaming.AssignVmNames(["Win2016/Datacenter.json", "Win2012R2/VS2015 Enterprise with Azure SDK.json", "2019.json", "___.json"]);

        Assert.Equal(PinnedNames, names.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key} -> {pair.Value}"));
    }

    [Fact]
    public void Keys_are_compared_like_image_paths()
    {
        var names = VmNaming.AssignVmNames(["Win2016/Datacenter.json", "win2016\\DATACENTER.json"]);

        var name = Assert.Single(names).Value;
        Assert.Equal(name, names["./WIN2016//datacenter.json"]);
    }

    [Fact]
    public void Names_start_with_a_letter_even_for_numeric_or_symbol_only_file_names()
    {
        var names = VmNaming.AssignVmNames(["2019.json", "___.json", "Über Größe.json"]);

        Assert.StartsWith("vm2019-", names["2019.json"], StringComparison.Ordinal);
        Assert.StartsWith("vm-", names["___.json"], StringComparison.Ordinal);
        Assert.StartsWith("bergre-", names["Über Größe.json"], StringComparison.Ordinal);
    }

    [Fact]
    public void Colliding_preferred_names_are_resolved_deterministically()
    {
        // With 4 base-36 characters, a few thousand paths sharing a file name are bound to collide somewhere.
        var paths = Enumerable.Range(0, 5000).Select(index => $"F{index}/a.json").ToList();
        var collisions = paths.GroupBy(VmNaming.GetPreferredVmName, StringComparer.OrdinalIgnoreCase).Where(group => group.Count() > 1).ToList();
        Assert.NotEmpty(collisions);

        var names = VmNaming.AssignVmNames(paths);
        var reversed = VmNaming.AssignVmNames(Enumerable.Reverse(paths));

        Assert.Equal(paths.Count, names.Values.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(paths, path => Assert.Equal(names[path], reversed[path]));
        foreach (var group in collisions)
        {
            var keeper = group.OrderBy(path => path.ToUpperInvariant(), StringComparer.Ordinal).First();
            Assert.Equal(group.Key, names[keeper]);
        }
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("datacenter-ab12", true)]
    [InlineData("A-1", true)]
    [InlineData("", false)]
    [InlineData("1234", false)]
    [InlineData("-abc", false)]
    [InlineData("abc-", false)]
    [InlineData("abc_d", false)]
    [InlineData("abc.d", false)]
    [InlineData("a234567890123456", false)]
    public void IsValidVmName_examples(string name, bool expected)
    {
        Assert.Equal(expected, VmNaming.IsValidVmName(name));
    }

    [Fact]
    public void Property_names_are_valid_and_unique()
    {
        Gen.Select(PathGenerators.TemplatePath, Gen.String[1, 12].Select(name => name.Replace('/', 'x').Replace('\\', 'x') + ".json"))
            .Select((path, unicodeName) => new[] { path, unicodeName })
            .Array[1, 15]
            .Select(groups => groups.SelectMany(group => group).Where(path => ImagePathMatcher.Normalize(path).Length > 0).ToArray())
            .Sample(paths =>
            {
                var names = VmNaming.AssignVmNames(paths);
                var distinctPaths = paths.Distinct(ImagePathComparer.Instance).Count();
                return names.Count == distinctPaths
                    && names.Values.All(VmNaming.IsValidVmName)
                    && names.Values.Distinct(StringComparer.OrdinalIgnoreCase).Count() == distinctPaths;
            }, iter: 300);
    }

    [Fact]
    public void Property_names_do_not_depend_on_input_order()
    {
        Gen.Select(PathGenerators.TemplatePath.Array[1, 12], Gen.Int).Sample((paths, seed) =>
        {
            var shuffled = paths.ToArray();
            new Random(seed).Shuffle(shuffled);
            var names = VmNaming.AssignVmNames(paths);
            var shuffledNames = VmNaming.AssignVmNames(shuffled);
            return names.All(pair => shuffledNames[pair.Key] == pair.Value);
        }, iter: 300);
    }

    [Fact]
    public void Property_adding_a_template_does_not_rename_the_others()
    {
        Gen.Select(PathGenerators.TemplatePath.Array[1, 10], PathGenerators.TemplatePath)
            .Where((paths, added) => paths.Append(added).Select(VmNaming.GetPreferredVmName).Distinct(StringComparer.OrdinalIgnoreCase).Count()
                == paths.Append(added).Distinct(ImagePathComparer.Instance).Count())
            .Sample((paths, added) =>
            {
                var before = VmNaming.AssignVmNames(paths);
                var after = VmNaming.AssignVmNames(paths.Append(added));
                return before.All(pair => after[pair.Key] == pair.Value);
            }, iter: 300);
    }
}
