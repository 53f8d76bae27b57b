using System.Globalization;

namespace ImageFactory.Engine.Configuration;

/// <summary>
/// Thrown by <see cref="FactoryConfigurationLoader.Load"/> when the configuration has errors.
/// Carries every finding so a caller can show them all, not only the first.
/// </summary>
public sealed class FactoryConfigurationException : Exception
{
    /// <summary>Creates the exception from the findings of an inspection; at least one must be an error.</summary>
    public FactoryConfigurationException(IReadOnlyList<ConfigurationFinding> findings)
        : base(BuildMessage(findings))
    {
        Findings = findings;
        FirstError = findings.First(finding => finding.IsError);
    }

    /// <summary>All findings of the inspection, errors and warnings.</summary>
    public IReadOnlyList<ConfigurationFinding> Findings { get; }

    /// <summary>The first error, whose message is the exception's message.</summary>
    public ConfigurationFinding FirstError { get; }

    private static string BuildMessage(IReadOnlyList<ConfigurationFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var errors = findings.Where(finding => finding.IsError).ToList();
        if (errors.Count == 0)
        {
            throw new ArgumentException("A configuration exception needs at least one error finding.", nameof(findings));
        }

        return errors.Count == 1
            ? errors[0].Message
            : string.Format(CultureInfo.InvariantCulture, "{0} (and {1} more {2})", errors[0].Message, errors.Count - 1, errors.Count == 2 ? "error" : "errors");
    }
}
