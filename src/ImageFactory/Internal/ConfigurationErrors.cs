using System.Management.Automation;
using ImageFactory.Engine.Configuration;

namespace ImageFactory.Internal;

/// <summary>Turns configuration failures into precise ErrorRecords: id from the finding code, the file as target.</summary>
internal static class ConfigurationErrors
{
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
