using System.Globalization;

namespace ImageFactory.Engine.Configuration;

/// <summary>
/// Names custom images the way the original DevTest Labs image factory scripts did, so that images made by
/// either one can live side by side in the same labs and image stores.
/// </summary>
/// <remarks>
/// <para>
/// Stem: the segments of the image path joined with <c>_</c> (just the file name for a template at the root of
/// <c>GoldenImages</c>), the trailing <c>.json</c> dropped, then every <c>.</c> replaced by <c>_</c> and every space
/// by <c>-</c>: <c>Win2012R2/VS2015 Enterprise with Azure SDK.json</c> gives
/// <c>Win2012R2_VS2015-Enterprise-with-Azure-SDK</c>. The original joined only the immediate parent folder and the
/// file; both rules agree for templates at most one folder deep (the layout the original documented). Joining
/// every folder keeps deeper trees such as <c>A/X/c.json</c> and <c>B/X/c.json</c> apart.
/// </para>
/// <para>
/// Full name: stem, <c>-</c>, then the date as <c>MMM-d-yyyy</c> in the invariant culture (<c>Nov-25-2026</c>).
/// The original used the local date and the current culture; the invariant culture and UTC make the name
/// independent of where the factory runs. When the name is taken (compared case-insensitively, as PowerShell's
/// <c>-eq</c> did), the original appended <c>A</c> and then advanced that last letter (<c>B</c>, <c>C</c>, ...)
/// until the name was free. The same is done here; after <c>Z</c>, where the original produced <c>[</c> (not a
/// valid name character), another <c>A</c> is appended instead.
/// </para>
/// </remarks>
public static class ImageNaming
{
    private const string TemplateExtension = ".json";
    private const string DateFormat = "MMM-d-yyyy";

    /// <summary>Returns the image name stem for an image path, e.g. <c>Win2016_Datacenter</c> for <c>Win2016/Datacenter.json</c>.</summary>
    /// <param name="imagePath">Path relative to <c>GoldenImages</c>, with <c>/</c> or <c>\</c>.</param>
    /// <exception cref="ArgumentException">The path names nothing (empty once normalized).</exception>
    public static string GetImageNameStem(string imagePath)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        var segments = ImagePathMatcher.GetSegments(imagePath);
        if (segments.Count == 0)
        {
            throw new ArgumentException($"Image path '{imagePath}' names no file.", nameof(imagePath));
        }

        var fileName = segments[^1];
        if (fileName.Length > TemplateExtension.Length && fileName.EndsWith(TemplateExtension, StringComparison.OrdinalIgnoreCase))
        {
            segments[^1] = fileName[..^TemplateExtension.Length];
        }

        return string.Join('_', segments).Replace('.', '_').Replace(' ', '-');
    }

    /// <summary>
    /// Returns the custom image name for an image built on <paramref name="utcDate"/>: stem, date and, when needed,
    /// the collision suffix, e.g. <c>Win2016_Datacenter-Nov-25-2026</c> or <c>Win2016_Datacenter-Nov-25-2026A</c>.
    /// </summary>
    /// <param name="imagePath">Path relative to <c>GoldenImages</c>.</param>
    /// <param name="utcDate">Build date; a <see cref="DateTimeKind.Local"/> value is converted to UTC first, an unspecified one is taken as UTC.</param>
    /// <param name="existingNames">Image names already in use; the result is none of them (case-insensitively).</param>
    public static string GetImageName(string imagePath, DateTime utcDate, IEnumerable<string> existingNames)
    {
        ArgumentNullException.ThrowIfNull(existingNames);
        var date = utcDate.Kind == DateTimeKind.Local ? utcDate.ToUniversalTime() : utcDate;
        var taken = new HashSet<string>(existingNames.Where(name => name is not null), StringComparer.OrdinalIgnoreCase);
        var name = GetImageNameStem(imagePath) + "-" + date.ToString(DateFormat, CultureInfo.InvariantCulture);

        // Each step makes a name that sorts after (or is longer than) the previous one, so the loop ends after at
        // most taken.Count + 1 steps.
        while (taken.Contains(name))
        {
            name = NextCandidate(name);
        }

        return name;
    }

    private static string NextCandidate(string name)
    {
        var last = name[^1];
        if (last is >= 'A' and < 'Z')
        {
            return string.Concat(name.AsSpan(0, name.Length - 1), ((char)(last + 1)).ToString());
        }

        // A digit (the year), or Z: start a new letter.
        return name + "A";
    }
}
