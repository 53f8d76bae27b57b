using System.Globalization;
using CsCheck;
using ImageFactory.Engine.Configuration;

namespace ImageFactory.Engine.Tests.Configuration;

public sealed class ImageNamingTests
{
    private static readonly DateTime BuildDate = new(2026, 11, 25, 23, 30, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("Win2016/Datacenter.json", "Win2016_Datacenter")]
    [InlineData("Datacenter.json", "Datacenter")]
    [InlineData("Win2012R2\\VS2015 Enterprise with Azure SDK.json", "Win2012R2_VS2015-Enterprise-with-Azure-SDK")]
    [InlineData("Win2016/SQLServer 2016 Express.json", "Win2016_SQLServer-2016-Express")]
    [InlineData("A/B/c.d.json", "A_B_c_d")]
    [InlineData("./Linux//Ubuntu 18.04.JSON", "Linux_Ubuntu-18_04")]
    public void Stem_examples(string imagePath, string expected)
    {
        Assert.Equal(expected, ImageNaming.GetImageNameStem(imagePath));
    }

    [Fact]
    public void Stem_of_an_empty_path_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ImageNaming.GetImageNameStem("./"));
    }

    [Theory]
    [InlineData(2026, 11, 25, "Win2016_Datacenter-Nov-25-2026")]
    [InlineData(2027, 1, 5, "Win2016_Datacenter-Jan-5-2027")]
    [InlineData(2026, 12, 31, "Win2016_Datacenter-Dec-31-2026")]
    public void Name_is_stem_and_invariant_date(int year, int month, int day, string expected)
    {
        var date = new DateTime(year, month, day, 12, 0, 0, DateTimeKind.Utc);

        Assert.Equal(expected, ImageNaming.GetImageName("Win2016/Datacenter.json", date, []));
    }

    [Fact]
    public void Name_does_not_depend_on_the_current_culture()
    {
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal("Win2016_Datacenter-Dec-3-2026", ImageNaming.GetImageName("Win2016/Datacenter.json", new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Utc), []));
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Fact]
    public void Local_dates_are_converted_to_utc_first()
    {
        var local = new DateTime(2026, 11, 25, 23, 30, 0, DateTimeKind.Local);

        Assert.Equal(
            ImageNaming.GetImageName("Win2016/Datacenter.json", local.ToUniversalTime(), []),
            ImageNaming.GetImageName("Win2016/Datacenter.json", local, []));
    }

    [Theory]
    [InlineData(new string[0], "Win2016_Datacenter-Nov-25-2026")]
    [InlineData(new[] { "Win2016_Datacenter-Nov-25-2026" }, "Win2016_Datacenter-Nov-25-2026A")]
    [InlineData(new[] { "win2016_datacenter-nov-25-2026" }, "Win2016_Datacenter-Nov-25-2026A")]
    [InlineData(new[] { "Win2016_Datacenter-Nov-25-2026", "Win2016_Datacenter-Nov-25-2026A", "Win2016_Datacenter-Nov-25-2026B" }, "Win2016_Datacenter-Nov-25-2026C")]
    [InlineData(new[] { "Win2016_Datacenter-Nov-25-2026A" }, "Win2016_Datacenter-Nov-25-2026")]
    [InlineData(new[] { "Win2016_Datacenter-Nov-24-2026" }, "Win2016_Datacenter-Nov-25-2026")]
    public void Collisions_get_the_original_letter_suffix(string[] existing, string expected)
    {
        Assert.Equal(expected, ImageNaming.GetImageName("Win2016/Datacenter.json", BuildDate, existing));
    }

    [Fact]
    public void After_Z_another_letter_is_appended_instead_of_an_invalid_character()
    {
        const string baseName = "Win2016_Datacenter-Nov-25-2026";
        var existing = new[] { baseName }.Concat(Enumerable.Range('A', 26).Select(letter => baseName + (char)letter));

        Assert.Equal(baseName + "ZA", ImageNaming.GetImageName("Win2016/Datacenter.json", BuildDate, existing));
    }

    [Fact]
    public void Property_stem_has_no_space_dot_or_separator()
    {
        PathGenerators.TemplatePath.Sample(path =>
        {
            var stem = ImageNaming.GetImageNameStem(path);
            return stem.Length > 0 && stem.IndexOfAny([' ', '.', '/', '\\']) < 0;
        }, iter: 500);
    }

    [Fact]
    public void Property_stem_is_the_same_however_the_path_is_written()
    {
        Gen.Select(PathGenerators.TemplatePath, Gen.Int).Sample((path, seed) =>
            string.Equals(ImageNaming.GetImageNameStem(path), ImageNaming.GetImageNameStem(PathGenerators.Disguise(path, seed)), StringComparison.OrdinalIgnoreCase),
            iter: 500);
    }

    [Fact]
    public void Property_distinct_paths_without_rewritten_characters_get_distinct_stems()
    {
        Gen.Select(PathGenerators.RewriteFreeTemplatePath, PathGenerators.RewriteFreeTemplatePath)
            .Where((left, right) => !ImagePathComparer.Instance.Equals(left, right))
            .Sample((left, right) =>
                !string.Equals(ImageNaming.GetImageNameStem(left), ImageNaming.GetImageNameStem(right), StringComparison.OrdinalIgnoreCase),
                iter: 1000);
    }

    [Fact]
    public void Property_generated_name_is_never_an_existing_name()
    {
        var existingNames = Gen.Select(
            PathGenerators.TemplatePath,
            Gen.Date,
            Gen.Int[0, 30],
            Gen.String[0, 8].Array[0, 5],
            Gen.Bool);
        existingNames.Sample((path, date, takenSuffixes, others, lowerCase) =>
        {
            var utcDate = DateTime.SpecifyKind(date, DateTimeKind.Utc);
            var baseName = ImageNaming.GetImageName(path, utcDate, []);

            // Take the base name and a run of suffixed names so the collision loop has to work.
            var existing = new List<string>(others);
            var candidate = baseName;
            for (var index = 0; index < takenSuffixes; index++)
            {
                existing.Add(lowerCase ? candidate.ToLowerInvariant() : candidate);
                candidate = index == 0 ? baseName + "A" : candidate[^1] == 'Z' ? candidate + "A" : candidate[..^1] + (char)(candidate[^1] + 1);
            }

            var name = ImageNaming.GetImageName(path, utcDate, existing);
            return !existing.Contains(name, StringComparer.OrdinalIgnoreCase)
                && name.StartsWith(baseName, StringComparison.Ordinal)
                && name[baseName.Length..].All(character => character is >= 'A' and <= 'Z');
        }, iter: 500);
    }
}
