using System.Management.Automation;
using ImageFactory.Internal;

namespace ImageFactory.Commands;

/// <summary>
/// Reads an image factory configuration (GoldenImages/**/*.json and Labs.json) into typed objects: the golden
/// images with their image-name stems and VM names, and the labs with the golden images each subscribes to.
/// A configuration with errors terminates with the first error's finding code as the error id.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LabFactoryConfiguration")]
[OutputType("ImageFactory.Engine.Configuration.FactoryConfiguration")]
public sealed class GetLabFactoryConfigurationCommand : PSCmdlet
{
    /// <summary>The configuration root: the folder holding Labs.json and GoldenImages.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "Path")]
    [ValidateNotNullOrEmpty]
    public string ConfigurationLocation { get; set; } = string.Empty;

    protected override void ProcessRecord() => WriteObject(ConfigurationErrors.Load(this, ConfigurationLocation));
}
