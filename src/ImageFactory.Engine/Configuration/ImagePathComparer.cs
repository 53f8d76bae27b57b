namespace ImageFactory.Engine.Configuration;

/// <summary>
/// Compares image paths the way <see cref="ImagePathMatcher"/> does: separator-insensitive (<c>/</c> or <c>\</c>),
/// case-insensitive, ignoring duplicate separators and <c>.</c> segments. <c>Win2016\Datacenter.json</c> (as the
/// original scripts tagged images on Windows) equals <c>win2016/datacenter.json</c>.
/// </summary>
public sealed class ImagePathComparer : IEqualityComparer<string>, IComparer<string>
{
    /// <summary>The single instance; the comparer has no state.</summary>
    public static ImagePathComparer Instance { get; } = new();

    private ImagePathComparer()
    {
    }

    /// <inheritdoc />
    public bool Equals(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null && y is null;
        }

        return string.Equals(ImagePathMatcher.Normalize(x), ImagePathMatcher.Normalize(y), StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public int GetHashCode(string obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return StringComparer.OrdinalIgnoreCase.GetHashCode(ImagePathMatcher.Normalize(obj));
    }

    /// <summary>
    /// Orders paths case-insensitively, then ordinally so that the order is total and the same on every machine
    /// (culture-sensitive ordering would make image lists differ between build agents).
    /// </summary>
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var left = ImagePathMatcher.Normalize(x);
        var right = ImagePathMatcher.Normalize(y);
        var result = string.Compare(left, right, StringComparison.OrdinalIgnoreCase);
        return result != 0 ? result : string.CompareOrdinal(left, right);
    }
}
