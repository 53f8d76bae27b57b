namespace ImageFactory.Engine.Configuration;

/// <summary>
/// Reads and validates a factory configuration folder: <c>Labs.json</c> and the golden image templates under
/// <c>GoldenImages</c>.
/// </summary>
/// <remarks>
/// <see cref="Inspect"/> reports every problem it can find in one pass (a user fixing a configuration should not
/// have to run the factory once per mistake); <see cref="Load"/> is the strict entry point for running the factory.
/// Only arguments that are programming errors (null or blank root) throw from <see cref="Inspect"/>; missing
/// folders and files, unreadable files and bad content are all findings.
/// </remarks>
public static class FactoryConfigurationLoader
{
    /// <summary>Name of the lab list in the configuration root.</summary>
    public const string LabsFileName = "Labs.json";

    /// <summary>Name of the folder holding the golden image templates.</summary>
    public const string GoldenImagesFolderName = "GoldenImages";

    /// <summary>Inspects a configuration folder and reports every finding, with the configuration when it has no errors.</summary>
    /// <param name="configurationRoot">The folder holding <c>Labs.json</c> and <c>GoldenImages</c>; relative paths resolve against the current directory.</param>
    public static ConfigurationReport Inspect(string configurationRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configurationRoot);
        return new ConfigurationInspection(Path.GetFullPath(configurationRoot)).Run();
    }

    /// <summary>Loads a configuration folder.</summary>
    /// <param name="configurationRoot">The folder holding <c>Labs.json</c> and <c>GoldenImages</c>.</param>
    /// <exception cref="FactoryConfigurationException">The configuration has at least one error; all findings are attached.</exception>
    public static FactoryConfiguration Load(string configurationRoot)
    {
        var report = Inspect(configurationRoot);
        return report.Configuration ?? throw new FactoryConfigurationException(report.Findings);
    }
}
