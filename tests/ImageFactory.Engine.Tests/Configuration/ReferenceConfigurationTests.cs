using ImageFactory.Engine.Configuration;

namespace ImageFactory.Engine.Tests.Configuration;

/// <summary>
/// Runs the validator on the real sample configuration of the original factory (kept read-only next to the
/// repository) and pins exactly what is wrong with it: its Labs.json still holds the sample's placeholders.
/// </summary>
public sealed class ReferenceConfigurationTests
{
    [Fact]
    public void Reference_configuration_reports_exactly_its_unfilled_placeholders()
    {
        var root = FindReferenceConfiguration();

        var report = FactoryConfigurationLoader.Inspect(root);

        Assert.True(report.HasErrors);
        Assert.Null(report.Configuration);
        Assert.Equal(
            [
                (FindingSeverity.Error, FindingCodes.ResourceGroupInvalid, "Labs.json", 4, 24, "$.Labs[0].ResourceGroup"),
                (FindingSeverity.Error, FindingCodes.SubscriptionIdInvalid, "Labs.json", 5, 25, "$.Labs[0].SubscriptionId"),
                (FindingSeverity.Error, FindingCodes.LabNameInvalid, "Labs.json", 6, 18, "$.Labs[0].LabName"),
            ],
            report.Findings.Select(finding => (finding.Severity, finding.Code, finding.File, finding.Line ?? 0, finding.Position ?? 0, finding.JsonPath)));
        Assert.Contains("'<resource group name>'", report.Findings[0].Message, StringComparison.Ordinal);
        Assert.Contains("'<subscription ID that contains the lab>'", report.Findings[1].Message, StringComparison.Ordinal);
        Assert.Contains("'<Name of the DevTest Lab>'", report.Findings[2].Message, StringComparison.Ordinal);
        Assert.All(report.Findings, finding => Assert.Contains("placeholder", finding.Message, StringComparison.Ordinal));
        Assert.All(report.Findings, finding => Assert.Equal(Path.Combine(root, "Labs.json"), finding.FullPath));
    }

    [Fact]
    public void Reference_templates_are_valid_golden_images_once_the_placeholders_are_filled_in()
    {
        var reference = FindReferenceConfiguration();
        using var folder = new ConfigurationFolder();
        CopyDirectory(Path.Combine(reference, "GoldenImages"), folder.GoldenImages);
        var labs = File.ReadAllText(Path.Combine(reference, "Labs.json"))
            .Replace("<resource group name>", "rg-factory", StringComparison.Ordinal)
            .Replace("<subscription ID that contains the lab>", LabsJson.SubscriptionId, StringComparison.Ordinal)
            .Replace("<Name of the DevTest Lab>", "dtl-factory", StringComparison.Ordinal);
        folder.WithLabs(labs);

        var configuration = FactoryConfigurationLoader.Load(folder.Root);

        Assert.Empty(configuration.Warnings);
        Assert.Equal(
            [
                ("Win2012R2/VS2015 Enterprise with Azure SDK.json", "Win2012R2_VS2015-Enterprise-with-Azure-SDK", "VS-2015-Ent-VSU3-AzureSDK-29-WS2012R2"),
                ("Win2016/Datacenter.json", "Win2016_Datacenter", "2016-Datacenter"),
                ("Win2016/SQLServer 2016 Express.json", "Win2016_SQLServer-2016-Express", "Express"),
            ],
            configuration.GoldenImages.Select(image => (image.ImagePath, image.ImageNameStem, image.BaseImage?.Sku)));
        Assert.All(configuration.GoldenImages, image => Assert.Equal(GoldenImageOsType.Windows, image.OsType));
        Assert.All(configuration.GoldenImages, image => Assert.True(VmNaming.IsValidVmName(image.VmName), image.VmName));
        Assert.Equal("Windows Server 2016 Datacenter", configuration.GoldenImages[1].Description);
        Assert.Equal(configuration.GoldenImages, configuration.Labs[0].GoldenImages);
    }

    /// <summary>
    /// The reference folder lives beside the repository: walk up from the test binaries to the folder holding
    /// ImageFactory.sln, then take ../shared/reference/image-factory-configuration. A missing folder fails the test
    /// (a silently skipped check would look like a pass).
    /// </summary>
    private static string FindReferenceConfiguration()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ImageFactory.sln")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, $"ImageFactory.sln was not found above {AppContext.BaseDirectory}.");
        var reference = Path.GetFullPath(Path.Combine(directory!.FullName, "..", "shared", "reference", "image-factory-configuration"));
        Assert.True(Directory.Exists(reference), $"The reference configuration folder '{reference}' is missing; these tests need it.");
        return reference;
    }

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
