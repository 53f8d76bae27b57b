using System.Text;
using ImageFactory.Engine.Configuration;

namespace ImageFactory.Engine.Tests.Configuration;

public sealed class FactoryConfigurationLoaderTests
{
    private const string VsTemplate = "Win2012R2/VS2015 Enterprise with Azure SDK.json";

    [Fact]
    public void Valid_configuration_loads_images_and_labs()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithTemplate("Win2016/SQLServer 2016 Express.json", Templates.LabVm(notes: "SQL Express", sku: "Express"))
            .WithTemplate(VsTemplate, Templates.LabVm(notes: "Visual Studio"))
            .WithLabs(LabsJson.Single($"[\"{VsTemplate}\", \"Win2016\"]"));

        var report = folder.Inspect();

        Assert.Empty(report.Findings);
        Assert.False(report.HasErrors);
        var configuration = Assert.IsType<FactoryConfiguration>(report.Configuration);
        Assert.Equal(folder.Root, configuration.Root);
        Assert.Equal(Path.Combine(folder.Root, "Labs.json"), configuration.LabsFile);
        Assert.Equal(
            [VsTemplate, "Win2016/Datacenter.json", "Win2016/SQLServer 2016 Express.json"],
            configuration.GoldenImages.Select(image => image.ImagePath));

        var datacenter = configuration.GoldenImages[1];
        Assert.Equal(Path.Combine(folder.GoldenImages, "Win2016", "Datacenter.json"), datacenter.TemplatePath);
        Assert.Equal(GoldenImageOsType.Windows, datacenter.OsType);
        Assert.Equal("Windows Server 2016 Datacenter", datacenter.Description);
        Assert.Equal(new BaseImageReference("MicrosoftWindowsServer", "WindowsServer", "2016-Datacenter", "latest"), datacenter.BaseImage);
        Assert.Equal("Win2016_Datacenter", datacenter.ImageNameStem);
        Assert.True(VmNaming.IsValidVmName(datacenter.VmName), datacenter.VmName);
        Assert.Equal(["newVMName", "labName", "size", "userName", "password"], datacenter.TemplateParameters);
        Assert.Equal("Win2012R2_VS2015-Enterprise-with-Azure-SDK", configuration.GoldenImages[0].ImageNameStem);

        var lab = Assert.Single(configuration.Labs);
        Assert.Equal(0, lab.Index);
        Assert.Equal(LabsJson.SubscriptionId, lab.SubscriptionId);
        Assert.Equal("dtl-lab-001", lab.LabName);
        Assert.Equal("rg-lab-001", lab.ResourceGroup);
        Assert.Equal(
            $"/subscriptions/{LabsJson.SubscriptionId}/resourceGroups/rg-lab-001/providers/Microsoft.DevTestLab/labs/dtl-lab-001",
            lab.ResourceId);
        Assert.Equal([VsTemplate, "Win2016"], lab.ImagePaths);
        Assert.Equal(configuration.GoldenImages, lab.GoldenImages);
    }

    [Fact]
    public void Load_returns_the_configuration_when_there_are_only_warnings()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithTemplate("Linux/Ubuntu.json", Templates.LabVm(osType: "Linux"))
            .WithLabs(LabsJson.Single("[\"Win2016\"]"));

        var configuration = FactoryConfigurationLoader.Load(folder.Root);

        var warning = Assert.Single(configuration.Warnings);
        Assert.Equal(FindingCodes.TemplateUnused, warning.Code);
        Assert.Equal(GoldenImageOsType.Linux, configuration.GoldenImages[0].OsType);
        Assert.Equal(["Win2016/Datacenter.json"], configuration.Labs[0].GoldenImages.Select(image => image.ImagePath));
    }

    [Fact]
    public void Load_throws_with_every_finding_and_the_first_error_as_message()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single("[\"Win2016\", \"Win2019\"]", labName: "bad name", resourceGroup: "rg."));

        var exception = Assert.Throws<FactoryConfigurationException>(() => FactoryConfigurationLoader.Load(folder.Root));

        Assert.Equal(
            [FindingCodes.ResourceGroupInvalid, FindingCodes.LabNameInvalid, FindingCodes.ImagePathNoMatch],
            exception.Findings.Select(finding => finding.Code));
        Assert.Same(exception.Findings[0], exception.FirstError);
        Assert.Equal(exception.FirstError.Message + " (and 2 more errors)", exception.Message);
    }

    [Fact]
    public void Load_message_is_the_error_message_alone_when_there_is_one_error()
    {
        using var folder = new ConfigurationFolder().WithTemplate("Win2016/Datacenter.json");

        var exception = Assert.Throws<FactoryConfigurationException>(() => FactoryConfigurationLoader.Load(folder.Root));

        Assert.Equal(FindingCodes.LabsFileMissing, exception.FirstError.Code);
        Assert.Equal(exception.FirstError.Message, exception.Message);
    }

    [Fact]
    public void Missing_root_is_a_finding_and_Load_throws()
    {
        var root = Path.Combine(Path.GetTempPath(), "imagefactory-missing-" + Guid.NewGuid().ToString("N"));

        var report = FactoryConfigurationLoader.Inspect(root);

        var finding = AssertSingleFinding(report, FindingCodes.ConfigurationRootMissing);
        Assert.Equal(".", finding.File);
        Assert.Equal(root, finding.FullPath);
        Assert.Contains(root, finding.Message, StringComparison.Ordinal);
        Assert.Null(report.Configuration);
        Assert.Throws<FactoryConfigurationException>(() => FactoryConfigurationLoader.Load(root));
    }

    [Fact]
    public void Missing_labs_file_is_a_finding()
    {
        using var folder = new ConfigurationFolder().WithTemplate("Win2016/Datacenter.json");

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.LabsFileMissing);

        Assert.Equal("Labs.json", finding.File);
        Assert.Equal(Path.Combine(folder.Root, "Labs.json"), finding.FullPath);
    }

    [Fact]
    public void Missing_golden_images_folder_is_a_finding_without_a_no_match_finding_per_image_path()
    {
        using var folder = new ConfigurationFolder().WithLabs(LabsJson.Single());

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.GoldenImagesFolderMissing);

        Assert.Equal("GoldenImages", finding.File);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
    }

    [Fact]
    public void Empty_golden_images_folder_is_a_warning_and_image_paths_match_nothing()
    {
        using var folder = new ConfigurationFolder().WithGoldenImagesFolder().WithLabs(LabsJson.Single());

        var report = folder.Inspect();

        Assert.Equal([FindingCodes.GoldenImagesFolderEmpty, FindingCodes.ImagePathNoMatch], report.Findings.Select(finding => finding.Code));
        Assert.Equal(FindingSeverity.Warning, report.Findings[0].Severity);
    }

    [Fact]
    public void File_and_folder_names_are_found_in_any_casing()
    {
        using var folder = new ConfigurationFolder().WithLabs(LabsJson.Single(), fileName: "labs.json");
        Directory.CreateDirectory(Path.Combine(folder.Root, "goldenimages", "Win2016"));
        File.WriteAllText(Path.Combine(folder.Root, "goldenimages", "Win2016", "Datacenter.JSON"), Templates.LabVm());

        var configuration = FactoryConfigurationLoader.Load(folder.Root);

        Assert.Equal(Path.Combine(folder.Root, "labs.json"), configuration.LabsFile);
        Assert.Equal("Win2016/Datacenter.JSON", Assert.Single(configuration.GoldenImages).ImagePath);
        Assert.Equal("Win2016_Datacenter", configuration.GoldenImages[0].ImageNameStem);
    }

    [Fact]
    public void Hidden_files_and_non_json_files_are_not_templates()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithTemplate("Win2016/.draft.json", "not even json")
            .WithTemplate("Win2016/readme.md", "# notes")
            .WithLabs(LabsJson.Single());

        var configuration = FactoryConfigurationLoader.Load(folder.Root);

        Assert.Equal("Win2016/Datacenter.json", Assert.Single(configuration.GoldenImages).ImagePath);
    }

    [Fact]
    public void Malformed_labs_json_reports_line_and_position()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs("{\n  \"Labs\": [\n    { \"LabName\": x }\n  ]\n}\n");

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.JsonMalformed);

        Assert.Equal("Labs.json", finding.File);
        Assert.Equal(3, finding.Line);
        Assert.Equal(18, finding.Position);
        Assert.Contains("Labs.json", finding.Message, StringComparison.Ordinal);
        Assert.Contains("line 3, position 18", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_template_reports_line_and_character_position_after_non_ascii_text()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json", "{\n\"notes\": \"Größe\" oops\n}")
            .WithLabs(LabsJson.Single());

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.JsonMalformed);

        Assert.Equal("GoldenImages/Win2016/Datacenter.json", finding.File);
        Assert.Equal(2, finding.Line);
        Assert.Equal(18, finding.Position); // characters, not bytes: "ö" and "ß" take two bytes each (bytes would give 20)
    }

    [Fact]
    public void Empty_labs_file_is_malformed_json_at_line_one()
    {
        using var folder = new ConfigurationFolder().WithTemplate("Win2016/Datacenter.json").WithLabs(string.Empty);

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.JsonMalformed);

        Assert.Equal((1, 1), (finding.Line, finding.Position));
    }

    [Fact]
    public void Comments_and_trailing_commas_are_accepted_as_ConvertFrom_Json_accepts_them()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs($$"""
                {
                  // the only lab
                  "Labs": [
                    { "SubscriptionId": "{{LabsJson.SubscriptionId}}", "LabName": "lab", "ImagePaths": ["Win2016",], },
                  ],
                }
                """);

        Assert.Empty(folder.Inspect().Findings);
    }

    [Theory]
    [InlineData("utf-8-bom")]
    [InlineData("utf-16le-bom")]
    [InlineData("utf-16be-bom")]
    public void Byte_order_marks_and_utf16_files_are_read(string encodingName)
    {
        Encoding encoding = encodingName switch
        {
            "utf-8-bom" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: true),
            "utf-16le-bom" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
            _ => new UnicodeEncoding(bigEndian: true, byteOrderMark: true),
        };
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabsBytes([.. encoding.GetPreamble(), .. encoding.GetBytes(LabsJson.Single(labName: "bad name"))]);

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.LabNameInvalid);

        Assert.Equal((6, 18), (finding.Line, finding.Position));
    }

    [Fact]
    public void Unreadable_template_is_a_finding()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single());
        var dangling = Path.Combine(folder.GoldenImages, "Win2016", "Broken.json");
        File.CreateSymbolicLink(dangling, Path.Combine(folder.Root, "does-not-exist.json"));

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.FileUnreadable);

        Assert.Equal("GoldenImages/Win2016/Broken.json", finding.File);
        Assert.Equal(dangling, finding.FullPath);
    }

    [Theory]
    [InlineData("{}", FindingCodes.LabsMissing, "$.Labs", 1, 1)]
    [InlineData("[]", FindingCodes.PropertyWrongType, "$", 1, 1)]
    [InlineData("{\n  \"Labs\": { }\n}", FindingCodes.LabsMissing, "$.Labs", 2, 11)]
    [InlineData("{\n  \"Labs\": null\n}", FindingCodes.LabsMissing, "$.Labs", 2, 11)]
    [InlineData("{\n  \"Labs\": [ \"lab\" ]\n}", FindingCodes.PropertyWrongType, "$.Labs[0]", 2, 13)]
    public void Labs_must_be_an_array_of_objects(string labsJson, string code, string jsonPath, int line, int position)
    {
        using var folder = new ConfigurationFolder().WithTemplate("Win2016/Datacenter.json").WithLabs(labsJson);

        var finding = AssertSingleFinding(folder.Inspect(), code);

        Assert.Equal(jsonPath, finding.JsonPath);
        Assert.Equal((line, position), (finding.Line, finding.Position));
    }

    [Fact]
    public void Empty_labs_array_is_a_warning()
    {
        using var folder = new ConfigurationFolder().WithTemplate("Win2016/Datacenter.json").WithLabs("{ \"Labs\": [] }");

        var report = folder.Inspect();

        Assert.Equal([FindingCodes.TemplateUnused, FindingCodes.LabsEmpty], report.Findings.Select(finding => finding.Code));
        Assert.Empty(Assert.IsType<FactoryConfiguration>(report.Configuration).Labs);
    }

    [Theory]
    [InlineData("SubscriptionId", FindingCodes.SubscriptionIdMissing)]
    [InlineData("LabName", FindingCodes.LabNameMissing)]
    [InlineData("ImagePaths", FindingCodes.ImagePathsMissing)]
    public void Missing_required_property_points_at_the_enclosing_lab(string property, string code)
    {
        // Dropping the whole line may leave a trailing comma, which is accepted.
        var lines = LabsJson.Single().Split('\n').Where(line => !line.Contains($"\"{property}\"", StringComparison.Ordinal));
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(string.Join('\n', lines));

        var report = folder.Inspect();

        var finding = report.Findings.Single(candidate => candidate.Code == code);
        Assert.Equal($"$.Labs[0].{property}", finding.JsonPath);
        Assert.Equal((3, 5), (finding.Line, finding.Position));
        Assert.Contains(property, finding.Message, StringComparison.Ordinal);
        Assert.Contains("Labs.json", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"SubscriptionId\": \"\"", FindingCodes.SubscriptionIdMissing, "$.Labs[0].SubscriptionId")]
    [InlineData("\"SubscriptionId\": null", FindingCodes.SubscriptionIdMissing, "$.Labs[0].SubscriptionId")]
    [InlineData("\"LabName\": \"  \"", FindingCodes.LabNameMissing, "$.Labs[0].LabName")]
    [InlineData("\"LabName\": 42", FindingCodes.PropertyWrongType, "$.Labs[0].LabName")]
    [InlineData("\"SubscriptionId\": true", FindingCodes.PropertyWrongType, "$.Labs[0].SubscriptionId")]
    [InlineData("\"ResourceGroup\": [\"rg\"]", FindingCodes.PropertyWrongType, "$.Labs[0].ResourceGroup")]
    [InlineData("\"ImagePaths\": \"Win2016\"", FindingCodes.PropertyWrongType, "$.Labs[0].ImagePaths")]
    [InlineData("\"ImagePaths\": []", FindingCodes.ImagePathsMissing, "$.Labs[0].ImagePaths")]
    [InlineData("\"ImagePaths\": [\"Win2016\", 7]", FindingCodes.PropertyWrongType, "$.Labs[0].ImagePaths[1]")]
    [InlineData("\"ImagePaths\": [\"Win2016\", \"\"]", FindingCodes.ImagePathEmpty, "$.Labs[0].ImagePaths[1]")]
    [InlineData("\"ImagePaths\": [\"Win2016\", \"./\"]", FindingCodes.ImagePathEmpty, "$.Labs[0].ImagePaths[1]")]
    public void Wrong_or_empty_values_are_reported_at_the_property(string property, string code, string jsonPath)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabWith(property));

        var finding = AssertSingleFinding(folder.Inspect(), code);

        Assert.Equal(jsonPath, finding.JsonPath);
        Assert.Equal(2, finding.Line);
        Assert.NotNull(finding.Position);
    }

    [Fact]
    public void Property_names_are_matched_in_any_casing_like_ConvertFrom_Json()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs($"{{ \"labs\": [ {{ \"subscriptionid\": \"{LabsJson.SubscriptionId}\", \"labName\": \"lab\", \"imagePaths\": [\"Win2016\"], \"resourcegroup\": \"rg x\" }} ] }}");

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.ResourceGroupInvalid);

        Assert.Equal("$.labs[0].resourcegroup", finding.JsonPath);
    }

    [Theory]
    [InlineData("<subscription ID that contains the lab>")]
    [InlineData("not-a-guid")]
    [InlineData("{9818741f-421e-45eb-894d-c60fcd195b51}")]
    [InlineData("9818741f421e45eb894dc60fcd195b51")]
    [InlineData("9818741f-421e-45eb-894d-c60fcd195b5")]
    public void Subscription_id_must_be_a_guid(string subscriptionId)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single().Replace(LabsJson.SubscriptionId, subscriptionId, StringComparison.Ordinal));

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.SubscriptionIdInvalid);

        Assert.Equal("$.Labs[0].SubscriptionId", finding.JsonPath);
        Assert.Equal((5, 25), (finding.Line, finding.Position));
        Assert.Contains(subscriptionId, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Upper_case_subscription_id_is_accepted_and_normalized()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single().Replace(LabsJson.SubscriptionId, LabsJson.SubscriptionId.ToUpperInvariant(), StringComparison.Ordinal));

        var configuration = FactoryConfigurationLoader.Load(folder.Root);

        Assert.Equal(LabsJson.SubscriptionId, configuration.Labs[0].SubscriptionId);
    }

    [Theory]
    [InlineData("<Name of the DevTest Lab>")]
    [InlineData("my lab")]
    [InlineData("lab.name")]
    [InlineData("läb")]
    [InlineData("lab/name")]
    [InlineData("123456789012345678901234567890123456789012345678901")]
    public void Lab_name_must_follow_the_DevTest_Labs_rule(string labName)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single(labName: labName));

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.LabNameInvalid);

        Assert.Equal("$.Labs[0].LabName", finding.JsonPath);
        Assert.Equal((6, 18), (finding.Line, finding.Position));
        Assert.Contains($"'{labName}'", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Lab_1-x")]
    [InlineData("12345678901234567890123456789012345678901234567890")]
    public void Valid_lab_names_are_accepted(string labName)
    {
        Assert.True(AzureNamingRules.IsValidLabName(labName));
    }

    [Theory]
    [InlineData("<resource group name>")]
    [InlineData("rg.")]
    [InlineData("rg name")]
    [InlineData("rg/x")]
    [InlineData("")]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901")]
    public void Resource_group_must_follow_the_Azure_rule(string resourceGroup)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single(resourceGroup: resourceGroup));

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.ResourceGroupInvalid);

        Assert.Equal("$.Labs[0].ResourceGroup", finding.JsonPath);
        Assert.Equal((4, 24), (finding.Line, finding.Position));
    }

    [Theory]
    [InlineData("rg(1).x_y-z")]
    [InlineData("ü-rg")]
    [InlineData("123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890")]
    public void Valid_resource_groups_are_accepted_and_give_a_resource_id(string resourceGroup)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single(resourceGroup: resourceGroup));

        var lab = FactoryConfigurationLoader.Load(folder.Root).Labs[0];

        Assert.Equal(resourceGroup, lab.ResourceGroup);
        Assert.Equal($"/subscriptions/{LabsJson.SubscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.DevTestLab/labs/dtl-lab-001", lab.ResourceId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"ResourceGroup\": null,")]
    public void Without_a_resource_group_the_lab_has_no_resource_id(string resourceGroupProperty)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs($"{{ \"Labs\": [ {{ {resourceGroupProperty} \"SubscriptionId\": \"{LabsJson.SubscriptionId}\", \"LabName\": \"lab\", \"ImagePaths\": [\"Win2016\"] }} ] }}");

        var lab = FactoryConfigurationLoader.Load(folder.Root).Labs[0];

        Assert.Null(lab.ResourceGroup);
        Assert.Null(lab.ResourceId);
    }

    [Fact]
    public void Duplicate_labs_are_found_case_insensitively()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs($$"""
                {
                  "Labs": [
                    { "SubscriptionId": "{{LabsJson.SubscriptionId}}", "LabName": "Lab-A", "ImagePaths": ["Win2016"] },
                    { "SubscriptionId": "{{LabsJson.SubscriptionId}}", "LabName": "Lab-B", "ImagePaths": ["Win2016"] },
                    { "SubscriptionId": "{{LabsJson.SubscriptionId.ToUpperInvariant()}}", "LabName": "lab-a", "ImagePaths": ["Win2016"] }
                  ]
                }
                """);

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.LabDuplicate);

        Assert.Equal("$.Labs[2]", finding.JsonPath);
        Assert.Equal((5, 5), (finding.Line, finding.Position));
        Assert.Contains("$.Labs[0]", finding.Message, StringComparison.Ordinal);
        Assert.Contains("lab-a", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_lab_name_in_another_subscription_is_not_a_duplicate()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs($$"""
                {
                  "Labs": [
                    { "SubscriptionId": "{{LabsJson.SubscriptionId}}", "LabName": "lab", "ImagePaths": ["Win2016"] },
                    { "SubscriptionId": "00000000-0000-0000-0000-000000000001", "LabName": "lab", "ImagePaths": ["Win2016"] }
                  ]
                }
                """);

        Assert.Equal(2, FactoryConfigurationLoader.Load(folder.Root).Labs.Count);
    }

    [Fact]
    public void Image_path_matching_no_template_is_an_error_with_a_suggestion_for_a_missing_extension()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single("[\"Win2016\", \"Win2019\", \"win2016/datacenter\"]"));

        var report = folder.Inspect();

        Assert.Equal([FindingCodes.ImagePathNoMatch, FindingCodes.ImagePathNoMatch], report.Findings.Select(finding => finding.Code));
        Assert.Equal("$.Labs[0].ImagePaths[1]", report.Findings[0].JsonPath);
        Assert.Contains("'Win2019'", report.Findings[0].Message, StringComparison.Ordinal);
        Assert.Equal("$.Labs[0].ImagePaths[2]", report.Findings[1].JsonPath);
        Assert.Contains("did you mean 'Win2016/Datacenter.json'", report.Findings[1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/Win2016", FindingCodes.ImagePathAbsolute)]
    [InlineData("C:\\\\Config\\\\Win2016", FindingCodes.ImagePathAbsolute)]
    [InlineData("\\\\\\\\server\\\\share\\\\Win2016", FindingCodes.ImagePathAbsolute)]
    [InlineData("../Win2016", FindingCodes.ImagePathEscapesGoldenImages)]
    [InlineData("Win2016/../../Labs.json", FindingCodes.ImagePathEscapesGoldenImages)]
    [InlineData("Win2016\\\\..\\\\Win2016", FindingCodes.ImagePathEscapesGoldenImages)]
    public void Image_paths_must_stay_inside_golden_images(string imagePathJson, string code)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single($"[\"Win2016\", \"{imagePathJson}\"]"));

        var finding = AssertSingleFinding(folder.Inspect(), code);

        Assert.Equal("$.Labs[0].ImagePaths[1]", finding.JsonPath);
        Assert.Equal(7, finding.Line);
    }

    [Fact]
    public void Folder_image_path_selects_its_own_folder_and_not_a_sibling_with_a_longer_name()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithTemplate("Win2016/Sub/Deep.json")
            .WithTemplate("Win2016R2/Other.json")
            .WithLabs(LabsJson.Single("[\".\\\\win2016\\\\\"]"));

        var report = folder.Inspect();

        var configuration = Assert.IsType<FactoryConfiguration>(report.Configuration);
        Assert.Equal(["Win2016/Datacenter.json", "Win2016/Sub/Deep.json"], configuration.Labs[0].GoldenImages.Select(image => image.ImagePath));
        var unused = AssertSingleFinding(report, FindingCodes.TemplateUnused);
        Assert.Equal("GoldenImages/Win2016R2/Other.json", unused.File);
        Assert.Equal(FindingSeverity.Warning, unused.Severity);
    }

    [Fact]
    public void Overlapping_image_paths_select_each_template_once()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithTemplate("Win2016/Core.json")
            .WithLabs(LabsJson.Single("[\"Win2016/Datacenter.json\", \"Win2016\"]"));

        var lab = FactoryConfigurationLoader.Load(folder.Root).Labs[0];

        Assert.Equal(["Win2016/Core.json", "Win2016/Datacenter.json"], lab.GoldenImages.Select(image => image.ImagePath));
    }

    [Fact]
    public void Repeated_image_path_is_a_warning()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithLabs(LabsJson.Single("[\"Win2016\", \"win2016/\"]"));

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.ImagePathDuplicate);

        Assert.Equal(FindingSeverity.Warning, finding.Severity);
        Assert.Equal("$.Labs[0].ImagePaths[1]", finding.JsonPath);
    }

    [Theory]
    [InlineData("[]", FindingCodes.TemplateNotArmTemplate, "$", 1, 1)]
    [InlineData("{\n  \"contentVersion\": \"1.0.0.0\"\n}", FindingCodes.TemplateNotArmTemplate, "$.resources", 1, 1)]
    [InlineData("{\n  \"resources\": {}\n}", FindingCodes.TemplateNotArmTemplate, "$.resources", 2, 16)]
    [InlineData("{\n  \"resources\": [ { \"type\": \"Microsoft.Compute/virtualMachines\" } ]\n}", FindingCodes.TemplateHasNoLabVm, "$.resources", 2, 16)]
    public void Template_must_be_an_ARM_template_of_a_lab_vm(string template, string code, string jsonPath, int line, int position)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json", template)
            .WithLabs(LabsJson.Single());

        var finding = AssertSingleFinding(folder.Inspect(), code);

        Assert.Equal("GoldenImages/Win2016/Datacenter.json", finding.File);
        Assert.Equal(jsonPath, finding.JsonPath);
        Assert.Equal((line, position), (finding.Line, finding.Position));
    }

    [Fact]
    public void Template_without_lab_vm_names_the_resource_types_it_has()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json", Templates.WithResources("{ \"type\": \"Microsoft.Compute/virtualMachines\", \"name\": \"vm\" }"))
            .WithLabs(LabsJson.Single());

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.TemplateHasNoLabVm);

        Assert.Contains("Microsoft.Compute/virtualMachines", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.DevTestLab/labs/virtualmachines", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_with_two_lab_vms_is_an_error_at_the_second()
    {
        const string vm = "{ \"type\": \"Microsoft.DevTestLab/labs/virtualMachines\", \"properties\": { \"galleryImageReference\": { \"osType\": \"Windows\" } } }";
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json", Templates.WithResources(vm, vm))
            .WithLabs(LabsJson.Single());

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.TemplateHasMultipleLabVms);

        Assert.Equal("$.resources[1]", finding.JsonPath);
    }

    [Fact]
    public void Os_type_that_is_missing_everywhere_is_an_error_at_the_gallery_image_reference()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json", Templates.LabVm().Replace("\"osType\": \"Windows\",", string.Empty, StringComparison.Ordinal))
            .WithLabs(LabsJson.Single());

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.OsTypeUndetermined);

        Assert.Equal("$.resources[0].properties.galleryImageReference.osType", finding.JsonPath);
        Assert.Equal(18, finding.Line); // the line of "galleryImageReference": {
    }

    [Fact]
    public void Os_type_from_a_custom_image_vm_without_os_type_cannot_be_determined()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json", Templates.WithResources("{ \"type\": \"Microsoft.DevTestLab/labs/virtualmachines\", \"properties\": { \"customImageId\": \"x\" } }"))
            .WithLabs(LabsJson.Single());

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.OsTypeUndetermined);

        Assert.Contains("$.resources[0]", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[parameters('osType')]", "ARM expression")]
    [InlineData("Windows10", "expected 'Windows' or 'Linux'")]
    public void Os_type_that_is_not_windows_or_linux_is_an_error_at_the_value(string osType, string expectedText)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json", Templates.LabVm(osType: osType))
            .WithLabs(LabsJson.Single());

        var finding = AssertSingleFinding(folder.Inspect(), FindingCodes.OsTypeUndetermined);

        Assert.Equal("$.resources[0].properties.galleryImageReference.osType", finding.JsonPath);
        Assert.Contains(osType, finding.Message, StringComparison.Ordinal);
        Assert.Contains(expectedText, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Os_type_falls_back_to_the_vm_properties_and_ignores_case()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Linux/Custom.json", Templates.WithResources("{ \"type\": \"microsoft.devtestlab/labs/virtualmachines\", \"properties\": { \"osType\": \"linux\", \"customImageId\": \"x\" } }"))
            .WithLabs(LabsJson.Single("[\"Linux\"]"));

        var image = Assert.Single(FactoryConfigurationLoader.Load(folder.Root).GoldenImages);

        Assert.Equal(GoldenImageOsType.Linux, image.OsType);
        Assert.Null(image.BaseImage);
        Assert.Null(image.Description);
    }

    [Fact]
    public void Template_lacking_a_parameter_the_factory_passes_is_a_warning()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json", Templates.LabVm().Replace("\"size\": { \"type\": \"string\" },", string.Empty, StringComparison.Ordinal))
            .WithLabs(LabsJson.Single());

        var report = folder.Inspect();

        var finding = AssertSingleFinding(report, FindingCodes.TemplateParameterMissing);
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
        Assert.Equal("$.parameters", finding.JsonPath);
        Assert.Equal(4, finding.Line);
        Assert.Contains("'size'", finding.Message, StringComparison.Ordinal);
        Assert.NotNull(report.Configuration);
    }

    [Theory]
    [InlineData("A/b c.json", "A/b-c.json", "A_b-c")]
    [InlineData("A.b/c.json", "A_b/c.json", "A_b_c")]
    [InlineData("A/b.json", "A_b.json", "A_b")]
    [InlineData("A/B.json", "a/b.json", "A_B")]
    public void Templates_giving_the_same_image_name_stem_are_errors(string first, string second, string stem)
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate(first)
            .WithTemplate(second)
            .WithLabs(LabsJson.Single($"[\"{first}\", \"{second}\"]"));

        var report = folder.Inspect();

        var findings = report.Findings.Where(finding => finding.Code == FindingCodes.ImageNameStemCollision).ToList();
        Assert.Equal(2, findings.Count);
        Assert.All(findings, finding => Assert.Contains(stem, finding.Message, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(findings, finding => finding.File == "GoldenImages/" + first && finding.Message.Contains($"'{second}'", StringComparison.Ordinal));
        Assert.Null(report.Configuration);
    }

    [Fact]
    public void Same_file_name_in_two_folders_gets_two_vm_names()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json")
            .WithTemplate("Win2019/Datacenter.json")
            .WithLabs(LabsJson.Single("[\"Win2016\", \"Win2019\"]"));

        var images = FactoryConfigurationLoader.Load(folder.Root).GoldenImages;

        Assert.NotEqual(images[0].VmName, images[1].VmName, StringComparer.OrdinalIgnoreCase);
        Assert.All(images, image => Assert.StartsWith("datacenter-", image.VmName, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_in_one_pass()
    {
        using var folder = new ConfigurationFolder()
            .WithTemplate("Win2016/Datacenter.json", "{ broken")
            .WithTemplate("Win2016/Other.json", "{ \"resources\": [] }")
            .WithTemplate("Unused/Thing.json")
            .WithLabs(LabsJson.Single("[\"Win2016\", \"Nope\"]", labName: "bad name"));

        var codes = folder.Inspect().Findings.Select(finding => finding.Code).ToList();

        Assert.Equal(
            [FindingCodes.TemplateUnused, FindingCodes.JsonMalformed, FindingCodes.TemplateHasNoLabVm, FindingCodes.LabNameInvalid, FindingCodes.ImagePathNoMatch],
            codes);
    }

    [Fact]
    public void Finding_formats_like_a_compiler_diagnostic()
    {
        var located = new ConfigurationFinding(FindingSeverity.Error, FindingCodes.LabNameInvalid, "Labs.json", "/c/Labs.json", 6, 18, "$.Labs[0].LabName", "bad");
        var fileOnly = new ConfigurationFinding(FindingSeverity.Warning, FindingCodes.TemplateUnused, "GoldenImages/a.json", "/c/GoldenImages/a.json", null, null, null, "unused");

        Assert.Equal("Labs.json(6,18): error LabNameInvalid: bad", located.ToString());
        Assert.Equal("GoldenImages/a.json: warning TemplateUnused: unused", fileOnly.ToString());
    }

    [Fact]
    public void Inspect_rejects_a_blank_root_argument()
    {
        Assert.Throws<ArgumentException>(() => FactoryConfigurationLoader.Inspect("  "));
    }

    private static ConfigurationFinding AssertSingleFinding(ConfigurationReport report, string code)
    {
        var finding = Assert.Single(report.Findings);
        Assert.True(code == finding.Code, $"Expected {code}, found: {finding}");
        Assert.Equal(finding.IsError, report.HasErrors);
        return finding;
    }

    // A one-lab Labs.json whose second line is the given property, the rest filled with valid values.
    private static string LabWith(string property)
    {
        var name = property[1..property.IndexOf('"', 1)];
        var defaults = new Dictionary<string, string>
        {
            ["SubscriptionId"] = $"\"SubscriptionId\": \"{LabsJson.SubscriptionId}\"",
            ["LabName"] = "\"LabName\": \"lab\"",
            ["ResourceGroup"] = "\"ResourceGroup\": \"rg\"",
            ["ImagePaths"] = "\"ImagePaths\": [\"Win2016\"]",
        };
        defaults.Remove(name);
        return "{ \"Labs\": [ {\n  " + property + ",\n  " + string.Join(",\n  ", defaults.Values) + "\n} ] }";
    }
}
