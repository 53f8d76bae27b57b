using System.Management.Automation;
using ImageFactory.Engine.Configuration;
using ImageFactory.Internal;

namespace ImageFactory.Commands;

/// <summary>
/// Checks an image factory configuration and returns one finding per problem (errors and warnings), or with
/// -Quiet only whether it has no errors. Never changes anything and never touches Azure.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LabFactoryConfiguration", DefaultParameterSetName = FindingsParameterSet)]
[OutputType("ImageFactory.Engine.Configuration.ConfigurationFinding", ParameterSetName = [FindingsParameterSet])]
[OutputType(typeof(bool), ParameterSetName = [QuietParameterSet])]
public sealed class TestLabFactoryConfigurationCommand : PSCmdlet
{
    private const string FindingsParameterSet = "Findings";
    private const string QuietParameterSet = "Quiet";

    /// <summary>The configuration root: the folder holding Labs.json and GoldenImages.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "Path")]
    [ValidateNotNullOrEmpty]
    public string ConfigurationLocation { get; set; } = string.Empty;

    /// <summary>Returns only $true (no errors; warnings allowed) or $false.</summary>
    [Parameter(Mandatory = true, ParameterSetName = QuietParameterSet)]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        var root = ProviderPaths.ResolveFileSystemPath(this, ConfigurationLocation, nameof(ConfigurationLocation));
        WriteVerbose($"Checking the image factory configuration in '{root}'.");
        var report = FactoryConfigurationLoader.Inspect(root);
        WriteVerbose(
            $"{report.Findings.Count(f => f.Severity == FindingSeverity.Error)} error(s), " +
            $"{report.Findings.Count(f => f.Severity == FindingSeverity.Warning)} warning(s) in '{root}'.");
        if (Quiet.IsPresent)
        {
            WriteObject(!report.HasErrors);
            return;
        }

        foreach (var finding in report.Findings)
        {
            WriteObject(finding);
        }
    }
}
