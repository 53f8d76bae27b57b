using System.Management.Automation;
using ImageFactory.Engine.Configuration;

namespace ImageFactory.Internal;

/// <summary>
/// How every cmdlet reads a configuration: the one loader, its warnings on the warning stream, and failures as
/// precise terminating ErrorRecords (id from the finding code, the file as target).
/// </summary>
internal static class ConfigurationErrors
{
    /// <summary>Resolves <paramref name="configurationLocation"/> and loads it; an invalid configuration stops the command.</summary>
    internal static FactoryConfiguration Load(PSCmdlet cmdlet, string configurationLocation)
    {
        var root = ProviderPaths.ResolveFileSystemPath(cmdlet, configurationLocation, "ConfigurationLocation");
        cmdlet.WriteVerbose($"Reading the image factory configuration in '{root}'.");
        FactoryConfiguration configuration;
        try
        {
            configuration = FactoryConfigurationLoader.Load(root);
        }
        catch (FactoryConfigurationException exception)
        {
            cmdlet.ThrowTerminatingError(ToErrorRecord(exception));
            throw; // not reached: ThrowTerminatingError always throws
        }

        foreach (var warning in configuration.Warnings)
        {
            cmdlet.WriteWarning(warning.ToString());
        }

        return configuration;
    }

    internal static ErrorRecord ToErrorRecord(FactoryConfigurationException exception)
    {
        var finding = exception.FirstError;
        // A file or folder that is not there is ObjectNotFound; anything wrong inside a file is InvalidData.
        var category = File.Exists(finding.FullPath) || Directory.Exists(finding.FullPath)
            ? ErrorCategory.InvalidData
            : ErrorCategory.ObjectNotFound;
        return new ErrorRecord(exception, ErrorIds.ConfigurationPrefix + finding.Code, category, finding.FullPath)
        {
            ErrorDetails = new ErrorDetails(exception.Message)
            {
                RecommendedAction = "Run Test-LabFactoryConfiguration to list every problem in this configuration.",
            },
        };
    }
}
