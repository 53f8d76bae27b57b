using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ImageFactory.Engine.Configuration;

/// <summary>
/// Assigns the names of the lab VMs the factory builds golden images on.
/// </summary>
/// <remarks>
/// <para>
/// Rule. A VM name is <c>{prefix}-{hash}</c>:
/// <list type="bullet">
/// <item><c>prefix</c>: the ASCII letters and digits of the template's file name without <c>.json</c>, lower-cased,
/// cut to 10 characters, with <c>vm</c> put in front when it would be empty or start with a digit
/// (<c>SQLServer 2016 Express.json</c> gives <c>sqlserver2</c>, <c>2019.json</c> gives <c>vm2019</c>); lower case
/// because paths differing only in case are the same image and must get the same name;</item>
/// <item><c>hash</c>: 4 lower-case base-36 characters taken from the SHA-256 (UTF-8) of the image path normalized by
/// <see cref="ImagePathMatcher.Normalize"/> and upper-cased with <see cref="string.ToUpperInvariant()"/>, the same
/// case folding <see cref="StringComparison.OrdinalIgnoreCase"/> (and so <see cref="ImagePathComparer"/>) uses.</item>
/// </list>
/// So <c>Win2016/Datacenter.json</c> and <c>Win2019/Datacenter.json</c> get different names (the original derived
/// the name from the file name only, and they collided), and a name depends only on its own image path, not on
/// which other templates exist. If two paths still get the same name (different paths with an equal prefix and
/// hash, about one chance in 1.7 million per pair), the path that sorts first (ordinal, on the normalized
/// upper-cased path) keeps it and the others take the hash of <c>{path}#1</c>, <c>{path}#2</c>, ... until their
/// name is free; the outcome depends only on the set of paths, never on their order or on chance.
/// </para>
/// <para>
/// Every name satisfies <see cref="IsValidVmName"/>: Windows computer names are limited to 15 characters
/// (NetBIOS), DevTest Labs allows letters, digits and hyphens, and a name must not be all digits or start or end
/// with a hyphen. Names also start with a letter, which every Azure VM naming rule accepts. Uniqueness is
/// case-insensitive because Windows and Azure compare names that way.
/// </para>
/// </remarks>
public static class VmNaming
{
    /// <summary>Longest VM name: the Windows (NetBIOS) computer name limit.</summary>
    public const int MaxLength = 15;

    private const int PrefixLength = 10;
    private const int HashLength = 4;
    private const string FallbackPrefix = "vm";
    private const string Base36Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>
    /// Assigns one VM name to each distinct image path (paths equal under <see cref="ImagePathComparer"/> share
    /// a name). The result is keyed by image path, compared with <see cref="ImagePathComparer"/>.
    /// </summary>
    /// <param name="imagePaths">Image paths relative to <c>GoldenImages</c>.</param>
    /// <exception cref="ArgumentException">A path is empty once normalized.</exception>
    public static IReadOnlyDictionary<string, string> AssignVmNames(IEnumerable<string> imagePaths)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);

        // Work on canonical keys (normalized, upper-cased) sorted ordinally so the outcome ignores input order.
        var canonicalToOriginal = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var imagePath in imagePaths)
        {
            ArgumentNullException.ThrowIfNull(imagePath, nameof(imagePaths));
            var canonical = Canonicalize(imagePath);
            if (canonical.Length == 0)
            {
                throw new ArgumentException($"Image path '{imagePath}' names no file.", nameof(imagePaths));
            }

            canonicalToOriginal.TryAdd(canonical, imagePath);
        }

        var firstChoices = canonicalToOriginal.Keys.ToDictionary(canonical => canonical, canonical => BuildName(canonical, 0), StringComparer.Ordinal);

        // Every first choice stays reserved, so a re-hashed name can never take the name another path was going to keep.
        var reserved = new HashSet<string>(firstChoices.Values, StringComparer.OrdinalIgnoreCase);
        var assigned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new Dictionary<string, string>(ImagePathComparer.Instance);
        foreach (var (canonical, original) in canonicalToOriginal)
        {
            var name = firstChoices[canonical];
            var salt = 0;
            while (assigned.Contains(name) || (salt > 0 && reserved.Contains(name)))
            {
                salt++;
                name = BuildName(canonical, salt);
            }

            assigned.Add(name);
            result[original] = name;
        }

        return result;
    }

    /// <summary>
    /// True when <paramref name="name"/> is a usable lab VM name: 1-15 ASCII letters, digits or hyphens, starting
    /// with a letter, not ending with a hyphen (and therefore never all digits).
    /// </summary>
    public static bool IsValidVmName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        if (!char.IsAsciiLetter(name[0]) || name[^1] == '-')
        {
            return false;
        }

        foreach (var character in name)
        {
            if (!char.IsAsciiLetterOrDigit(character) && character != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The name a path gets unless another path already has it (exposed for tests of collision handling).</summary>
    internal static string GetPreferredVmName(string imagePath) => BuildName(Canonicalize(imagePath), 0);

    private static string Canonicalize(string imagePath) =>
        ImagePathMatcher.Normalize(imagePath).ToUpperInvariant();

    private static string BuildName(string canonicalPath, int salt)
    {
        var fileName = canonicalPath[(canonicalPath.LastIndexOf('/') + 1)..];
        return BuildPrefix(fileName) + "-" + Hash(salt == 0 ? canonicalPath : string.Create(CultureInfo.InvariantCulture, $"{canonicalPath}#{salt}"));
    }

    private static string BuildPrefix(string fileName)
    {
        if (fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            fileName = fileName[..^".json".Length];
        }

        var prefix = new StringBuilder(PrefixLength);
        foreach (var character in fileName)
        {
            if (char.IsAsciiLetterOrDigit(character))
            {
                prefix.Append(char.ToLowerInvariant(character));
            }
        }

        if (prefix.Length == 0 || char.IsAsciiDigit(prefix[0]))
        {
            prefix.Insert(0, FallbackPrefix);
        }

        return prefix.Length > PrefixLength ? prefix.ToString(0, PrefixLength) : prefix.ToString();
    }

    // SHA-256 rather than string.GetHashCode: the name must be the same in every process and on every machine.
    private static string Hash(string text)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var value = BinaryPrimitives.ReadUInt64BigEndian(digest);
        var characters = new char[HashLength];
        for (var index = 0; index < HashLength; index++)
        {
            characters[index] = Base36Digits[(int)(value % 36)];
            value /= 36;
        }

        return new string(characters);
    }
}
