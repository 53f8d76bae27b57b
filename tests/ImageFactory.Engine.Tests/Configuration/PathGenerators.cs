using CsCheck;
using ImageFactory.Engine.Configuration;

namespace ImageFactory.Engine.Tests.Configuration;

/// <summary>CsCheck generators for image paths.</summary>
internal static class PathGenerators
{
    /// <summary>A file or folder name: letters of both cases, digits, spaces, dots, underscores, hyphens.</summary>
    public static readonly Gen<string> Segment = Gen.Char["abcABC019 ._-"].Array[1, 6]
        .Select(characters => new string(characters))
        .Where(segment => segment is not "." and not "..");

    /// <summary>A relative path of 1-4 segments, '/'-separated, ending in a .json file.</summary>
    public static readonly Gen<string> TemplatePath = Segment.Array[1, 4]
        .Select(segments => string.Join('/', segments) + ".json");

    /// <summary>
    /// A name with no character the stem rule rewrites ('.', ' ', '_'), so distinct paths must give distinct stems.
    /// </summary>
    public static readonly Gen<string> RewriteFreeSegment = Gen.Char["abcXYZ019-"].Array[1, 5]
        .Select(characters => new string(characters));

    public static readonly Gen<string> RewriteFreeTemplatePath = RewriteFreeSegment.Array[1, 3]
        .Select(segments => string.Join('/', segments) + ".json");

    /// <summary>Writes the same path differently: mixed separators, duplicate separators, "./" segments, other casing.</summary>
    public static string Disguise(string path, int seed)
    {
        var random = new Random(seed);
        string[] separators = ["/", "\\", "//", "\\\\", "/./", "\\.\\"];
        var segments = ImagePathMatcher.Normalize(path).Split('/');
        var disguised = segments.Select(segment => new string(segment.Select(character =>
            random.Next(2) == 0 ? char.ToUpperInvariant(character) : char.ToLowerInvariant(character)).ToArray()));
        var prefix = random.Next(3) switch
        {
            0 => "./",
            1 => ".\\",
            _ => string.Empty,
        };
        var suffix = random.Next(3) == 0 ? "/" : string.Empty;
        return prefix + string.Join(separators[random.Next(separators.Length)], disguised) + suffix;
    }
}
