namespace ImageFactory.Engine.Configuration;

/// <summary>
/// Decides which templates an <c>ImagePaths</c> entry of <c>Labs.json</c> selects.
/// </summary>
/// <remarks>
/// Matching is segment-wise and case-insensitive, and accepts both <c>/</c> and <c>\</c>:
/// <c>Win2016</c> selects <c>Win2016/Datacenter.json</c> and <c>Win2016/Sub/x.json</c>, but never
/// <c>Win2016R2/x.json</c>. The original scripts compared raw string prefixes, so a folder name that was a prefix
/// of a sibling folder's name silently pulled that sibling's images into the lab; comparing whole segments
/// removes that. A file entry must be written with its <c>.json</c> extension, as in the original <c>Labs.json</c>.
/// Case-insensitivity keeps configurations written on Windows working unchanged on Linux.
/// </remarks>
public static class ImagePathMatcher
{
    private const string ParentSegment = "..";

    /// <summary>
    /// Normalizes a relative image path: <c>\</c> becomes <c>/</c>, empty segments (duplicate or leading/trailing
    /// separators) and <c>.</c> segments are removed. Casing and <c>..</c> segments are kept as written, so that
    /// the result can still be shown to the user and validated.
    /// </summary>
    /// <param name="path">An image path such as <c>.\Win2016\\Datacenter.json</c>.</param>
    /// <returns>The normalized path, e.g. <c>Win2016/Datacenter.json</c>; empty when the path names nothing.</returns>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return string.Join('/', GetSegments(path));
    }

    /// <summary>
    /// True when <paramref name="configuredImagePath"/> (an <c>ImagePaths</c> entry) selects the template at
    /// <paramref name="templateRelativePath"/> (relative to <c>GoldenImages</c>): either the same file, or a folder
    /// that contains it at any depth. Absolute entries, entries with <c>..</c> segments and empty entries select nothing.
    /// </summary>
    public static bool Matches(string configuredImagePath, string templateRelativePath)
    {
        ArgumentNullException.ThrowIfNull(configuredImagePath);
        ArgumentNullException.ThrowIfNull(templateRelativePath);
        if (IsAbsolute(configuredImagePath) || EscapesRoot(configuredImagePath))
        {
            return false;
        }

        var configured = GetSegments(configuredImagePath);
        var template = GetSegments(templateRelativePath);
        if (configured.Count == 0 || configured.Count > template.Count)
        {
            return false;
        }

        for (var index = 0; index < configured.Count; index++)
        {
            if (!string.Equals(configured[index], template[index], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True for paths that are not relative to <c>GoldenImages</c>: rooted (<c>/x</c>, <c>\x</c>), UNC
    /// (<c>\\server\x</c>) or drive-qualified (<c>C:\x</c>, <c>C:x</c>). Checked on the text rather than with
    /// <see cref="Path.IsPathRooted(string)"/> because the answer must not depend on the OS the factory runs on.
    /// </summary>
    public static bool IsAbsolute(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            return false;
        }

        if (path[0] is '/' or '\\')
        {
            return true;
        }

        return path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':';
    }

    /// <summary>
    /// True when the path has a <c>..</c> segment. Any such segment is refused, even one that would stay inside
    /// <c>GoldenImages</c> (<c>a/../b</c>): there is no reason to write one, and refusing them all is easy to reason about.
    /// </summary>
    public static bool EscapesRoot(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return GetSegments(path).Contains(ParentSegment, StringComparer.Ordinal);
    }

    /// <summary>Splits a path into its meaningful segments (no empty and no <c>.</c> segments).</summary>
    internal static List<string> GetSegments(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/', '\\'))
        {
            if (segment.Length > 0 && segment != ".")
            {
                segments.Add(segment);
            }
        }

        return segments;
    }
}
