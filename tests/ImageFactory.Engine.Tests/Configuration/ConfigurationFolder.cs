using System.Text;
using ImageFactory.Engine.Configuration;

namespace ImageFactory.Engine.Tests.Configuration;

/// <summary>A throw-away configuration root in the temp folder, built file by file by a test.</summary>
internal sealed class ConfigurationFolder : IDisposable
{
    public ConfigurationFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "imagefactory-configuration-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string GoldenImages => Path.Combine(Root, "GoldenImages");

    public ConfigurationFolder WithLabs(string json, string fileName = "Labs.json")
    {
        File.WriteAllText(Path.Combine(Root, fileName), json);
        return this;
    }

    public ConfigurationFolder WithLabsBytes(byte[] content)
    {
        File.WriteAllBytes(Path.Combine(Root, "Labs.json"), content);
        return this;
    }

    public ConfigurationFolder WithGoldenImagesFolder()
    {
        Directory.CreateDirectory(GoldenImages);
        return this;
    }

    public ConfigurationFolder WithTemplate(string imagePath, string? json = null)
    {
        var path = Path.Combine(GoldenImages, imagePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json ?? Templates.LabVm(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return this;
    }

    public ConfigurationReport Inspect() => FactoryConfigurationLoader.Inspect(Root);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not turn a passing test into a failure.
        }
    }
}

/// <summary>Golden image templates shaped like the real ones in the reference configuration.</summary>
internal static class Templates
{
    public const string StandardParameters = """
        "parameters": {
          "newVMName": { "type": "string" },
          "labName": { "type": "string" },
          "size": { "type": "string" },
          "userName": { "type": "string" },
          "password": { "type": "securestring" }
        }
        """;

    public static string LabVm(string osType = "Windows", string notes = "Windows Server 2016 Datacenter", string sku = "2016-Datacenter") => $$"""
        {
          "$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json",
          "contentVersion": "1.0.0.0",
          {{StandardParameters}},
          "resources": [
            {
              "apiVersion": "2018-10-15-preview",
              "type": "Microsoft.DevTestLab/labs/virtualmachines",
              "name": "[concat(parameters('labName'), '/', parameters('newVMName'))]",
              "properties": {
                "notes": "{{notes}}",
                "galleryImageReference": {
                  "offer": "WindowsServer",
                  "publisher": "MicrosoftWindowsServer",
                  "sku": "{{sku}}",
                  "osType": "{{osType}}",
                  "version": "latest"
                }
              }
            }
          ]
        }
        """;

    /// <summary>A template whose only resource is <paramref name="resourceJson"/>.</summary>
    public static string WithResources(params string[] resourceJson) => $$"""
        {
          "$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json",
          "contentVersion": "1.0.0.0",
          {{StandardParameters}},
          "resources": [
            {{string.Join(",\n", resourceJson)}}
          ]
        }
        """;
}

/// <summary>Labs.json content for tests.</summary>
internal static class LabsJson
{
    public const string SubscriptionId = "9818741f-421e-45eb-894d-c60fcd195b51";

    public static string Single(string imagePathsJson = "[\"Win2016\"]", string labName = "dtl-lab-001", string resourceGroup = "rg-lab-001") => $$"""
        {
          "Labs": [
            {
              "ResourceGroup": "{{resourceGroup}}",
              "SubscriptionId": "{{SubscriptionId}}",
              "LabName": "{{labName}}",
              "ImagePaths": {{imagePathsJson}}
            }
          ]
        }
        """;
}
