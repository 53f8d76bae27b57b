namespace ImageFactory.Engine.Configuration;

/// <summary>Name rules Azure enforces, checked up front so a typo fails in seconds instead of mid-run.</summary>
public static class AzureNamingRules
{
    /// <summary>Longest DevTest Labs lab name.</summary>
    public const int MaxLabNameLength = 50;

    /// <summary>Longest resource group name.</summary>
    public const int MaxResourceGroupNameLength = 90;

    /// <summary>
    /// True when DevTest Labs accepts <paramref name="name"/> as a lab name: 1-50 characters, ASCII letters, digits,
    /// underscores and hyphens (ARM template reference for <c>Microsoft.DevTestLab/labs</c>).
    /// </summary>
    public static bool IsValidLabName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLabNameLength)
        {
            return false;
        }

        foreach (var character in name)
        {
            if (!char.IsAsciiLetterOrDigit(character) && character is not ('_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when Azure accepts <paramref name="name"/> as a resource group name: 1-90 characters, letters or digits
    /// (Unicode letters included, as ARM checks with <see cref="char.IsLetterOrDigit(char)"/>), underscores,
    /// hyphens, periods and parentheses, not ending with a period.
    /// </summary>
    public static bool IsValidResourceGroupName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxResourceGroupNameLength || name[^1] == '.')
        {
            return false;
        }

        foreach (var character in name)
        {
            if (!char.IsLetterOrDigit(character) && character is not ('_' or '-' or '.' or '(' or ')'))
            {
                return false;
            }
        }

        return true;
    }
}
