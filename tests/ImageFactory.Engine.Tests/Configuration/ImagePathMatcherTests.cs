using CsCheck;
using ImageFactory.Engine.Configuration;

namespace ImageFactory.Engine.Tests.Configuration;

public sealed class ImagePathMatcherTests
{
    [Theory]
    [InlineData("Win2016", "Win2016/Datacenter.json", true)]
    [InlineData("Win2016", "Win2016/Sub/x.json", true)]
    [InlineData("Win2016/", "Win2016/Datacenter.json", true)]
    [InlineData("./Win2016//", "Win2016/Datacenter.json", true)]
    [InlineData("win2016\\DATACENTER.json", "Win2016/Datacenter.json", true)]
    [InlineData("Win2016/Datacenter.json", "Win2016/Datacenter.json", true)]
    [InlineData("Win2016/Sub", "Win2016/Sub/x.json", true)]
    [InlineData("Win2016", "Win2016R2/x.json", false)]
    [InlineData("Win", "Win2016/Datacenter.json", false)]
    [InlineData("Win2016/Data", "Win2016/Datacenter.json", false)]
    [InlineData("Win2016/Datacenter", "Win2016/Datacenter.json", false)]
    [InlineData("Win2016/Datacenter.json", "Win2016/Datacenter.json/x.json", true)]
    [InlineData("Win2016/Datacenter.json", "Win2016/Datacenter.json.old/x.json", false)]
    [InlineData("Win2016/Datacenter.json/x.json", "Win2016/Datacenter.json", false)]
    [InlineData("Win2012R2/VS2015 Enterprise with Azure SDK.json", "Win2012R2/VS2015 Enterprise with Azure SDK.json", true)]
    [InlineData("/Win2016", "Win2016/Datacenter.json", false)]
    [InlineData("C:\\Win2016", "Win2016/Datacenter.json", false)]
    [InlineData("../Win2016", "Win2016/Datacenter.json", false)]
    [InlineData("Win2016/../Win2016", "Win2016/Datacenter.json", false)]
    [InlineData("", "Win2016/Datacenter.json", false)]
    [InlineData("./", "Win2016/Datacenter.json", false)]
    public void Matches_examples(string configured, string template, bool expected)
    {
        Assert.Equal(expected, ImagePathMatcher.Matches(configured, template));
    }

    [Theory]
    [InlineData(".\\Win2016\\\\Datacenter.json", "Win2016/Datacenter.json")]
    [InlineData("a/./b/", "a/b")]
    [InlineData("//a//b//", "a/b")]
    [InlineData("A/../B", "A/../B")]
    [InlineData("Win2012R2/VS2015 Enterprise with Azure SDK.json", "Win2012R2/VS2015 Enterprise with Azure SDK.json")]
    [InlineData("./", "")]
    [InlineData("", "")]
    public void Normalize_examples(string path, string expected)
    {
        Assert.Equal(expected, ImagePathMatcher.Normalize(path));
    }

    [Theory]
    [InlineData("/x", true)]
    [InlineData("\\x", true)]
    [InlineData("\\\\server\\share\\x", true)]
    [InlineData("C:\\x", true)]
    [InlineData("c:x", true)]
    [InlineData(" /x", false)] // a folder named " " is odd but legal; a stray space then simply matches nothing
    [InlineData("x/y", false)]
    [InlineData("Win2016", false)]
    [InlineData("./x", false)]
    [InlineData("", false)]
    public void IsAbsolute_examples(string path, bool expected)
    {
        Assert.Equal(expected, ImagePathMatcher.IsAbsolute(path));
    }

    [Fact]
    public void Comparer_treats_separator_and_case_variants_as_one_path()
    {
        var set = new HashSet<string>(ImagePathComparer.Instance) { "Win2016/Datacenter.json" };

        Assert.Contains("win2016\\DATACENTER.json", set);
        Assert.Contains("./Win2016//Datacenter.json", set);
        Assert.DoesNotContain("Win2016/Datacenter", set);
    }

    [Fact]
    public void Property_a_path_and_every_folder_above_it_match_however_they_are_written()
    {
        Gen.Select(PathGenerators.TemplatePath, Gen.Int[1, 4], Gen.Int)
            .Sample((template, depth, seed) =>
            {
                var segments = template.Split('/');
                var configured = string.Join('/', segments.Take(Math.Min(depth, segments.Length)));
                return ImagePathMatcher.Matches(PathGenerators.Disguise(configured, seed), template)
                    && ImagePathMatcher.Matches(configured, PathGenerators.Disguise(template, seed));
            }, iter: 500);
    }

    [Fact]
    public void Property_a_folder_never_matches_a_sibling_whose_name_it_prefixes()
    {
        Gen.Select(PathGenerators.TemplatePath, Gen.Int[1, 4], PathGenerators.Segment, Gen.Int)
            .Sample((template, depth, extra, seed) =>
            {
                var segments = template.Split('/');
                var index = Math.Min(depth, segments.Length) - 1;
                var configured = string.Join('/', segments.Take(index + 1));
                var sibling = segments.ToArray();
                sibling[index] += extra;
                return !ImagePathMatcher.Matches(PathGenerators.Disguise(configured, seed), string.Join('/', sibling));
            }, iter: 500);
    }

    [Fact]
    public void Property_matching_agrees_with_segment_prefix_comparison()
    {
        Gen.Select(PathGenerators.Segment.Array[1, 3], PathGenerators.Segment.Array[1, 4])
            .Sample((configuredSegments, templateSegments) =>
            {
                var expected = configuredSegments.Length <= templateSegments.Length
                    && configuredSegments.Zip(templateSegments).All(pair => string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase));
                return ImagePathMatcher.Matches(string.Join('/', configuredSegments), string.Join('/', templateSegments)) == expected;
            }, iter: 500);
    }

    [Fact]
    public void Property_normalize_is_idempotent_and_leaves_single_forward_slashes()
    {
        Gen.Select(PathGenerators.TemplatePath, Gen.Int)
            .Sample((template, seed) =>
            {
                var normalized = ImagePathMatcher.Normalize(PathGenerators.Disguise(template, seed));
                return normalized == ImagePathMatcher.Normalize(normalized)
                    && !normalized.Contains('\\', StringComparison.Ordinal)
                    && !normalized.Contains("//", StringComparison.Ordinal)
                    && !normalized.StartsWith('/')
                    && !normalized.EndsWith('/')
                    && string.Equals(normalized, template, StringComparison.OrdinalIgnoreCase);
            }, iter: 500);
    }
}
