namespace ImageFactory.Engine.Configuration;

/// <summary>The result of <see cref="FactoryConfigurationLoader.Inspect"/>: every finding, and the configuration when it is usable.</summary>
public sealed class ConfigurationReport
{
    /// <summary>Creates a report.</summary>
    public ConfigurationReport(FactoryConfiguration? configuration, IReadOnlyList<ConfigurationFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        HasErrors = findings.Any(finding => finding.IsError);
        if (HasErrors && configuration is not null)
        {
            throw new ArgumentException("A configuration with errors must not be handed out.", nameof(configuration));
        }

        Configuration = configuration;
        Findings = findings;
    }

    /// <summary>The loaded configuration, or null when there are errors.</summary>
    public FactoryConfiguration? Configuration { get; }

    /// <summary>All errors and warnings, ordered by file, line and position.</summary>
    public IReadOnlyList<ConfigurationFinding> Findings { get; }

    /// <summary>True when at least one finding is an error.</summary>
    public bool HasErrors { get; }

    /// <summary>The findings that are errors.</summary>
    public IReadOnlyList<ConfigurationFinding> Errors => Findings.Where(finding => finding.IsError).ToList();

    /// <summary>The findings that are warnings.</summary>
    public IReadOnlyList<ConfigurationFinding> Warnings => Findings.Where(finding => !finding.IsError).ToList();
}
