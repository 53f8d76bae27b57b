using System.Text.Json;
using Azure.Core;

namespace ImageFactory.Engine.Configuration;

/// <summary>One run of <see cref="FactoryConfigurationLoader.Inspect"/>: collects findings while it reads the folder.</summary>
internal sealed class ConfigurationInspection
{
    private const string LabVmResourceType = "Microsoft.DevTestLab/labs/virtualmachines";
    private const string TemplateExtension = ".json";

    private static readonly ResourceType LabResourceType = new("Microsoft.DevTestLab/labs");

    // The parameters the original MakeVM.ps1 passed to every golden image deployment. ARM rejects a deployment that
    // passes a parameter the template does not declare, so a template lacking one would fail at build time.
    private static readonly string[] FactoryTemplateParameters = ["labName", "newVMName", "userName", "password", "size"];

    private readonly string root;
    private readonly List<ConfigurationFinding> findings = [];

    public ConfigurationInspection(string root)
    {
        this.root = root;
    }

    private int ErrorCount => findings.Count(finding => finding.IsError);

    public ConfigurationReport Run()
    {
        if (!Directory.Exists(root))
        {
            findings.Add(new ConfigurationFinding(
                FindingSeverity.Error, FindingCodes.ConfigurationRootMissing, ".", root, null, null, null,
                $"The configuration root folder '{root}' does not exist."));
            return new ConfigurationReport(null, findings);
        }

        var goldenImagesFolder = FindEntry(FactoryConfigurationLoader.GoldenImagesFolderName, directory: true);
        var labsFile = FindEntry(FactoryConfigurationLoader.LabsFileName, directory: false);

        var templates = goldenImagesFolder is null ? [] : DiscoverTemplates(goldenImagesFolder);
        if (goldenImagesFolder is null)
        {
            var expected = Path.Combine(root, FactoryConfigurationLoader.GoldenImagesFolderName);
            findings.Add(new ConfigurationFinding(
                FindingSeverity.Error, FindingCodes.GoldenImagesFolderMissing, FactoryConfigurationLoader.GoldenImagesFolderName, expected, null, null, null,
                $"{FactoryConfigurationLoader.GoldenImagesFolderName}: the folder '{expected}' holding the golden image templates does not exist."));
        }

        var vmNames = VmNaming.AssignVmNames(templates.Select(template => template.ImagePath));
        var goldenImages = new List<GoldenImage>();
        foreach (var template in templates)
        {
            var image = AnalyzeTemplate(template, vmNames[template.ImagePath]);
            if (image is not null)
            {
                goldenImages.Add(image);
            }
        }

        CheckImageNameStemCollisions(templates);

        LabList? labs = null;
        if (labsFile is null)
        {
            var expected = Path.Combine(root, FactoryConfigurationLoader.LabsFileName);
            findings.Add(new ConfigurationFinding(
                FindingSeverity.Error, FindingCodes.LabsFileMissing, FactoryConfigurationLoader.LabsFileName, expected, null, null, null,
                $"{FactoryConfigurationLoader.LabsFileName}: the lab list '{expected}' does not exist."));
        }
        else
        {
            labs = ReadLabs(labsFile, templates, goldenImagesFolder is not null);
        }

        // Without a fully readable lab list every template might look unused; that noise would hide the real error.
        if (labs is { IsComplete: true })
        {
            CheckUnusedTemplates(templates, labs.Labs);
        }

        var ordered = findings
            .OrderBy(finding => finding.File, StringComparer.OrdinalIgnoreCase)
            .ThenBy(finding => finding.Line ?? 0)
            .ThenBy(finding => finding.Position ?? 0)
            .ToList();
        if (ordered.Any(finding => finding.IsError) || labs is null || labsFile is null)
        {
            return new ConfigurationReport(null, ordered);
        }

        var labTargets = labs.Labs.Select(draft => draft.ToLabTarget(goldenImages)).ToList();
        var warnings = ordered.Where(finding => !finding.IsError).ToList();
        var configuration = new FactoryConfiguration(root, labsFile, goldenImages, labTargets, warnings);
        return new ConfigurationReport(configuration, ordered);
    }

    // Configurations are often written on Windows, where "labs.json" and "Labs.json" are the same file; accept any
    // casing so they keep working on Linux. The exact name wins when several casings exist.
    private string? FindEntry(string name, bool directory)
    {
        var exact = Path.Combine(root, name);
        if (directory ? Directory.Exists(exact) : File.Exists(exact))
        {
            return exact;
        }

        try
        {
            var candidates = directory ? Directory.EnumerateDirectories(root) : Directory.EnumerateFiles(root);
            return candidates
                .Where(candidate => string.Equals(Path.GetFileName(candidate), name, StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private List<TemplateFile> DiscoverTemplates(string goldenImagesFolder)
    {
        var folderName = Path.GetFileName(goldenImagesFolder);
        var templates = new List<TemplateFile>();
        var readCompletely = true;

        // Hidden files and folders are skipped, as Get-ChildItem without -Force skipped them for the original scripts.
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = false,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        };
        try
        {
            foreach (var file in Directory.EnumerateFiles(goldenImagesFolder, "*", options))
            {
                if (file.EndsWith(TemplateExtension, StringComparison.OrdinalIgnoreCase))
                {
                    var imagePath = Path.GetRelativePath(goldenImagesFolder, file).Replace('\\', '/');
                    templates.Add(new TemplateFile(imagePath, file, folderName + "/" + imagePath));
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            readCompletely = false;
            findings.Add(new ConfigurationFinding(
                FindingSeverity.Error, FindingCodes.FileUnreadable, folderName, goldenImagesFolder, null, null, null,
                $"{folderName}: the folder cannot be read completely: {exception.Message}"));
        }

        if (templates.Count == 0 && readCompletely)
        {
            findings.Add(new ConfigurationFinding(
                FindingSeverity.Warning, FindingCodes.GoldenImagesFolderEmpty, folderName, goldenImagesFolder, null, null, null,
                $"{folderName}: the folder holds no *.json template, so the factory has no image to build."));
        }

        templates.Sort((left, right) => ImagePathComparer.Instance.Compare(left.ImagePath, right.ImagePath));
        return templates;
    }

    private GoldenImage? AnalyzeTemplate(TemplateFile template, string vmName)
    {
        using var source = JsonSourceFile.TryLoad(template.FullPath, template.RelativeFile, findings);
        if (source is null)
        {
            return null;
        }

        var errorsBefore = ErrorCount;
        var file = source.RelativePath;
        var root = source.Root;
        if (root.ValueKind != JsonValueKind.Object)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.TemplateNotArmTemplate, JsonPaths.Root,
                $"{file}: not an ARM template: the root is {Describe(root)}, not an object with a 'resources' array."));
            return null;
        }

        if (!TryGetProperty(root, "resources", out var resources, out var resourcesName))
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.TemplateNotArmTemplate, JsonPaths.Property(JsonPaths.Root, "resources"),
                $"{file}: not an ARM template: the root object has no 'resources' array.", JsonPaths.Root));
            return null;
        }

        var resourcesPath = JsonPaths.Property(JsonPaths.Root, resourcesName);
        if (resources.ValueKind != JsonValueKind.Array)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.TemplateNotArmTemplate, resourcesPath,
                $"{file}: not an ARM template: {resourcesPath} is {Describe(resources)}, not an array."));
            return null;
        }

        var labVms = new List<(JsonElement Resource, string Path)>();
        var otherTypes = new List<string>();
        var resourceIndex = 0;
        foreach (var resource in resources.EnumerateArray())
        {
            var resourcePath = JsonPaths.Index(resourcesPath, resourceIndex++);
            var type = resource.ValueKind == JsonValueKind.Object && TryGetProperty(resource, "type", out var typeElement, out _) && typeElement.ValueKind == JsonValueKind.String
                ? typeElement.GetString()
                : null;
            if (string.Equals(type, LabVmResourceType, StringComparison.OrdinalIgnoreCase))
            {
                labVms.Add((resource, resourcePath));
            }
            else if (type is not null)
            {
                otherTypes.Add(type);
            }
        }

        if (labVms.Count == 0)
        {
            var found = otherTypes.Count == 0 ? "it declares no typed resource" : "it declares only " + string.Join(", ", otherTypes.Distinct(StringComparer.OrdinalIgnoreCase));
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.TemplateHasNoLabVm, resourcesPath,
                $"{file}: {resourcesPath} holds no {LabVmResourceType} resource ({found}); the factory builds each golden image on one lab VM."));
            return null;
        }

        if (labVms.Count > 1)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.TemplateHasMultipleLabVms, labVms[1].Path,
                $"{file}: {labVms[1].Path} is a second {LabVmResourceType} resource (the first is {labVms[0].Path}); the factory captures one image per template, so it cannot tell which VM is the golden image."));
        }

        var (vm, vmPath) = labVms[0];
        var properties = GetObject(vm, "properties", vmPath);
        var galleryImageReference = properties is { } props ? GetObject(props.Element, "galleryImageReference", props.Path) : null;

        var osType = DetermineOsType(source, vmPath, properties, galleryImageReference);
        var baseImage = galleryImageReference is { } reference
            ? new BaseImageReference(
                GetString(reference.Element, "publisher"),
                GetString(reference.Element, "offer"),
                GetString(reference.Element, "sku"),
                GetString(reference.Element, "version"))
            : null;
        var description = properties is { } withNotes ? GetString(withNotes.Element, "notes") : null;
        var parameters = ReadDeclaredParameters(source);

        if (osType is null || ErrorCount > errorsBefore)
        {
            return null;
        }

        return new GoldenImage(
            template.ImagePath, template.FullPath, osType.Value, description, baseImage,
            ImageNaming.GetImageNameStem(template.ImagePath), vmName, parameters);
    }

    private GoldenImageOsType? DetermineOsType(JsonSourceFile source, string vmPath, (JsonElement Element, string Path)? properties, (JsonElement Element, string Path)? galleryImageReference)
    {
        var file = source.RelativePath;

        // galleryImageReference.osType is what DevTest Labs itself reads; properties.osType is accepted as a fallback
        // for templates that start from something else but still state their OS.
        (JsonElement Element, string Path)? candidate = null;
        foreach (var holder in new[] { galleryImageReference, properties })
        {
            if (holder is { } h && TryGetProperty(h.Element, "osType", out var value, out var name) && value.ValueKind != JsonValueKind.Null)
            {
                candidate = (value, JsonPaths.Property(h.Path, name));
                break;
            }
        }

        if (candidate is not { } found)
        {
            var expectedPath = JsonPaths.Property(JsonPaths.Property(JsonPaths.Property(vmPath, "properties"), "galleryImageReference"), "osType");
            var locationPath = galleryImageReference?.Path ?? properties?.Path ?? vmPath;
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.OsTypeUndetermined, expectedPath,
                $"{file}: the lab VM at {vmPath} sets neither properties.galleryImageReference.osType nor properties.osType, so its OS type (Windows or Linux) cannot be determined.",
                locationPath));
            return null;
        }

        var text = found.Element.ValueKind == JsonValueKind.String ? found.Element.GetString() : null;
        if (string.Equals(text, "Windows", StringComparison.OrdinalIgnoreCase))
        {
            return GoldenImageOsType.Windows;
        }

        if (string.Equals(text, "Linux", StringComparison.OrdinalIgnoreCase))
        {
            return GoldenImageOsType.Linux;
        }

        var hint = text is not null && text.StartsWith('[')
            ? " (an ARM expression cannot be evaluated before deployment; write the OS type literally)"
            : string.Empty;
        findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.OsTypeUndetermined, found.Path,
            $"{file}: {found.Path} is {Describe(found.Element)}, expected 'Windows' or 'Linux'{hint}."));
        return null;
    }

    private List<string> ReadDeclaredParameters(JsonSourceFile source)
    {
        var declared = new List<string>();
        string? parametersPath = null;
        if (TryGetProperty(source.Root, "parameters", out var parameters, out var parametersName) && parameters.ValueKind == JsonValueKind.Object)
        {
            parametersPath = JsonPaths.Property(JsonPaths.Root, parametersName);
            declared.AddRange(parameters.EnumerateObject().Select(parameter => parameter.Name));
        }

        // ARM parameter names are case-insensitive.
        var missing = FactoryTemplateParameters.Where(required => !declared.Contains(required, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Warning, FindingCodes.TemplateParameterMissing,
                parametersPath ?? JsonPaths.Property(JsonPaths.Root, "parameters"),
                $"{source.RelativePath}: the template does not declare {string.Join(", ", missing.Select(name => $"'{name}'"))}; the factory deploys golden image templates with the parameters {string.Join(", ", FactoryTemplateParameters)}, and ARM rejects a deployment that passes an undeclared parameter.",
                parametersPath ?? JsonPaths.Root));
        }

        return declared;
    }

    private void CheckImageNameStemCollisions(List<TemplateFile> templates)
    {
        // Azure resource names are case-insensitive, so "A_b" and "a_B" collide as well.
        var groups = templates
            .GroupBy(template => ImageNaming.GetImageNameStem(template.ImagePath), StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Count() > 1);
        foreach (var group in groups)
        {
            foreach (var template in group)
            {
                var others = string.Join(", ", group.Where(other => !ReferenceEquals(other, template)).Select(other => $"'{other.ImagePath}'"));
                findings.Add(new ConfigurationFinding(
                    FindingSeverity.Error, FindingCodes.ImageNameStemCollision, template.RelativeFile, template.FullPath, null, null, null,
                    $"{template.RelativeFile}: image path '{template.ImagePath}' gives the image name stem '{group.Key}', as {others} does; their images would get the same names. Rename one of the files or folders."));
            }
        }
    }

    private void CheckUnusedTemplates(List<TemplateFile> templates, List<LabDraft> labs)
    {
        foreach (var template in templates)
        {
            if (!labs.Any(lab => lab.SelectedImagePaths.Contains(template.ImagePath)))
            {
                findings.Add(new ConfigurationFinding(
                    FindingSeverity.Warning, FindingCodes.TemplateUnused, template.RelativeFile, template.FullPath, null, null, null,
                    $"{template.RelativeFile}: no lab in {FactoryConfigurationLoader.LabsFileName} lists image path '{template.ImagePath}' or a folder holding it; the factory builds this image but distributes it nowhere."));
            }
        }
    }

    private LabList? ReadLabs(string labsFile, List<TemplateFile> templates, bool goldenImagesFolderExists)
    {
        using var source = JsonSourceFile.TryLoad(labsFile, Path.GetFileName(labsFile), findings);
        if (source is null)
        {
            return null;
        }

        var file = source.RelativePath;
        if (source.Root.ValueKind != JsonValueKind.Object)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.PropertyWrongType, JsonPaths.Root,
                $"{file}: the root is {Describe(source.Root)}; expected an object with a 'Labs' array."));
            return null;
        }

        if (!TryGetProperty(source.Root, "Labs", out var labs, out var labsName))
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.LabsMissing, JsonPaths.Property(JsonPaths.Root, "Labs"),
                $"{file}: the root object has no 'Labs' array.", JsonPaths.Root));
            return null;
        }

        var labsPath = JsonPaths.Property(JsonPaths.Root, labsName);
        if (labs.ValueKind != JsonValueKind.Array)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.LabsMissing, labsPath,
                $"{file}: {labsPath} is {Describe(labs)}; expected an array of labs."));
            return null;
        }

        if (labs.GetArrayLength() == 0)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Warning, FindingCodes.LabsEmpty, labsPath,
                $"{file}: {labsPath} is empty; the factory builds images but distributes them to no lab."));
        }

        var drafts = new List<LabDraft>();
        var index = 0;
        var complete = true;
        foreach (var lab in labs.EnumerateArray())
        {
            var draft = ReadLab(source, lab, index, JsonPaths.Index(labsPath, index), templates, goldenImagesFolderExists);
            if (draft is not null)
            {
                drafts.Add(draft);
                complete &= draft.ImagePathsComplete;
            }
            else
            {
                complete = false;
            }

            index++;
        }

        CheckDuplicateLabs(source, drafts);
        return new LabList(drafts, complete);
    }

    private LabDraft? ReadLab(JsonSourceFile source, JsonElement lab, int index, string labPath, List<TemplateFile> templates, bool goldenImagesFolderExists)
    {
        var file = source.RelativePath;
        if (lab.ValueKind != JsonValueKind.Object)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.PropertyWrongType, labPath,
                $"{file}: {labPath} is {Describe(lab)}; expected an object with SubscriptionId, LabName and ImagePaths."));
            return null;
        }

        var draft = new LabDraft(index, labPath);

        if (ReadRequiredString(source, lab, labPath, "SubscriptionId", FindingCodes.SubscriptionIdMissing) is { } subscription)
        {
            // The "D" format is the one ARM resource ids use; braces or bare hex would break the ids built from it.
            if (Guid.TryParseExact(subscription.Value, "D", out var subscriptionId))
            {
                draft.SubscriptionId = subscriptionId.ToString("D");
            }
            else
            {
                findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.SubscriptionIdInvalid, subscription.Path,
                    $"{file}: {subscription.Path} '{subscription.Value}' is not a subscription id{PlaceholderHint(subscription.Value)}; expected a GUID such as 00000000-0000-0000-0000-000000000000."));
                draft.RawSubscriptionId = subscription.Value;
            }
        }

        if (ReadRequiredString(source, lab, labPath, "LabName", FindingCodes.LabNameMissing) is { } labName)
        {
            draft.LabName = labName.Value;
            if (!AzureNamingRules.IsValidLabName(labName.Value))
            {
                findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.LabNameInvalid, labName.Path,
                    $"{file}: {labName.Path} '{labName.Value}' is not a valid DevTest Labs lab name{PlaceholderHint(labName.Value)}; use 1-{AzureNamingRules.MaxLabNameLength} letters, digits, underscores or hyphens."));
                draft.NamesAreValid = false;
            }
        }

        ReadResourceGroup(source, lab, labPath, draft);
        ReadImagePaths(source, lab, labPath, draft, templates, goldenImagesFolderExists);
        return draft;
    }

    private void ReadResourceGroup(JsonSourceFile source, JsonElement lab, string labPath, LabDraft draft)
    {
        // Optional: without it the factory finds the lab by name in its subscription, as the original did.
        if (!TryGetProperty(lab, "ResourceGroup", out var value, out var name) || value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var path = JsonPaths.Property(labPath, name);
        if (value.ValueKind != JsonValueKind.String)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.PropertyWrongType, path,
                $"{source.RelativePath}: {path} is {Describe(value)}; expected a resource group name (a string) or no ResourceGroup property at all."));
            draft.NamesAreValid = false;
            return;
        }

        var resourceGroup = value.GetString()!;
        if (!AzureNamingRules.IsValidResourceGroupName(resourceGroup))
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.ResourceGroupInvalid, path,
                $"{source.RelativePath}: {path} '{resourceGroup}' is not a valid resource group name{PlaceholderHint(resourceGroup)}; use 1-{AzureNamingRules.MaxResourceGroupNameLength} letters, digits, underscores, hyphens, periods or parentheses, not ending with a period, or leave ResourceGroup out."));
            draft.NamesAreValid = false;
            return;
        }

        draft.ResourceGroup = resourceGroup;
    }

    private void ReadImagePaths(JsonSourceFile source, JsonElement lab, string labPath, LabDraft draft, List<TemplateFile> templates, bool goldenImagesFolderExists)
    {
        var file = source.RelativePath;
        if (!TryGetProperty(lab, "ImagePaths", out var imagePaths, out var name))
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.ImagePathsMissing, JsonPaths.Property(labPath, "ImagePaths"),
                $"{file}: {labPath} has no ImagePaths; list the templates or folders (relative to GoldenImages) this lab receives.", labPath));
            draft.ImagePathsComplete = false;
            return;
        }

        var path = JsonPaths.Property(labPath, name);
        if (imagePaths.ValueKind == JsonValueKind.Null)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.ImagePathsMissing, path,
                $"{file}: {path} is null; list the templates or folders (relative to GoldenImages) this lab receives."));
            draft.ImagePathsComplete = false;
            return;
        }

        if (imagePaths.ValueKind != JsonValueKind.Array)
        {
            draft.ImagePathsComplete = false;
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.PropertyWrongType, path,
                $"{file}: {path} is {Describe(imagePaths)}; expected an array of paths relative to GoldenImages."));
            return;
        }

        if (imagePaths.GetArrayLength() == 0)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.ImagePathsMissing, path,
                $"{file}: {path} is empty; the lab would receive no image."));
            draft.ImagePathsComplete = false;
            return;
        }

        var seen = new HashSet<string>(ImagePathComparer.Instance);
        var entryIndex = 0;
        foreach (var entry in imagePaths.EnumerateArray())
        {
            var entryPath = JsonPaths.Index(path, entryIndex++);
            if (entry.ValueKind != JsonValueKind.String)
            {
                draft.ImagePathsComplete = false;
                findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.PropertyWrongType, entryPath,
                    $"{file}: {entryPath} is {Describe(entry)}; expected a path relative to GoldenImages (a string)."));
                continue;
            }

            var imagePath = entry.GetString()!;
            draft.ImagePaths.Add(imagePath);
            if (ImagePathMatcher.IsAbsolute(imagePath))
            {
                findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.ImagePathAbsolute, entryPath,
                    $"{file}: {entryPath} '{imagePath}' is an absolute path; image paths are relative to the GoldenImages folder, e.g. 'Win2016' or 'Win2016/Datacenter.json'."));
                continue;
            }

            if (ImagePathMatcher.EscapesRoot(imagePath))
            {
                findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.ImagePathEscapesGoldenImages, entryPath,
                    $"{file}: {entryPath} '{imagePath}' contains a '..' segment; image paths must stay inside the GoldenImages folder."));
                continue;
            }

            if (ImagePathMatcher.Normalize(imagePath).Length == 0)
            {
                findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.ImagePathEmpty, entryPath,
                    $"{file}: {entryPath} '{imagePath}' names no template or folder; write a path relative to GoldenImages."));
                continue;
            }

            if (!seen.Add(imagePath))
            {
                findings.Add(source.CreateFinding(FindingSeverity.Warning, FindingCodes.ImagePathDuplicate, entryPath,
                    $"{file}: {entryPath} '{imagePath}' is listed more than once for this lab."));
                continue;
            }

            var matches = templates.Where(template => ImagePathMatcher.Matches(imagePath, template.ImagePath)).ToList();
            foreach (var match in matches)
            {
                draft.SelectedImagePaths.Add(match.ImagePath);
            }

            // A missing GoldenImages folder is already an error of its own; repeating it for every entry is noise.
            if (matches.Count == 0 && goldenImagesFolderExists)
            {
                findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.ImagePathNoMatch, entryPath,
                    $"{file}: {entryPath} '{imagePath}' matches no template under GoldenImages{SuggestTemplate(imagePath, templates)}."));
            }
        }
    }

    private void CheckDuplicateLabs(JsonSourceFile source, List<LabDraft> drafts)
    {
        var firstByKey = new Dictionary<string, LabDraft>(StringComparer.OrdinalIgnoreCase);
        foreach (var draft in drafts)
        {
            var subscription = draft.SubscriptionId ?? draft.RawSubscriptionId;
            if (subscription is null || draft.LabName is null)
            {
                continue;
            }

            var key = subscription + "/" + draft.LabName;
            if (!firstByKey.TryAdd(key, draft))
            {
                var first = firstByKey[key];
                findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.LabDuplicate, draft.Path,
                    $"{source.RelativePath}: {draft.Path} lists lab '{draft.LabName}' in subscription '{subscription}' again; it is already listed at {first.Path}. Merge the two entries' ImagePaths."));
            }
        }
    }

    private (string Value, string Path)? ReadRequiredString(JsonSourceFile source, JsonElement owner, string ownerPath, string propertyName, string missingCode)
    {
        var file = source.RelativePath;
        if (!TryGetProperty(owner, propertyName, out var value, out var actualName))
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, missingCode, JsonPaths.Property(ownerPath, propertyName),
                $"{file}: {ownerPath} has no {propertyName}.", ownerPath));
            return null;
        }

        var path = JsonPaths.Property(ownerPath, actualName);
        if (value.ValueKind == JsonValueKind.Null)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, missingCode, path,
                $"{file}: {path} is null."));
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, FindingCodes.PropertyWrongType, path,
                $"{file}: {path} is {Describe(value)}; expected a string."));
            return null;
        }

        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            findings.Add(source.CreateFinding(FindingSeverity.Error, missingCode, path,
                $"{file}: {path} is empty."));
            return null;
        }

        return (text, path);
    }

    // ConvertFrom-Json, which read these files before, gave case-insensitive property access, so "labName" worked;
    // keep accepting any casing. The first matching property wins, consistently with the location map.
    private static bool TryGetProperty(JsonElement owner, string name, out JsonElement value, out string actualName)
    {
        if (owner.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in owner.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = property.Value;
                    actualName = property.Name;
                    return true;
                }
            }
        }

        value = default;
        actualName = name;
        return false;
    }

    private static (JsonElement Element, string Path)? GetObject(JsonElement owner, string name, string ownerPath) =>
        TryGetProperty(owner, name, out var value, out var actualName) && value.ValueKind == JsonValueKind.Object
            ? (value, JsonPaths.Property(ownerPath, actualName))
            : null;

    private static string? GetString(JsonElement owner, string name) =>
        TryGetProperty(owner, name, out var value, out _) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"'{element.GetString()}'",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    private static string PlaceholderHint(string value) =>
        value.StartsWith('<') && value.EndsWith('>') ? " (it looks like a placeholder that was never filled in)" : string.Empty;

    private static string SuggestTemplate(string imagePath, List<TemplateFile> templates)
    {
        // The most common slip: naming a template without its extension.
        if (!imagePath.EndsWith(TemplateExtension, StringComparison.OrdinalIgnoreCase))
        {
            var withExtension = imagePath.TrimEnd('/', '\\') + TemplateExtension;
            var match = templates.FirstOrDefault(template => ImagePathMatcher.Matches(withExtension, template.ImagePath));
            if (match is not null)
            {
                return $" (did you mean '{match.ImagePath}'? a template must be named with its .json extension)";
            }
        }

        return string.Empty;
    }

    /// <summary>The labs read from Labs.json; <paramref name="IsComplete"/> is false when some entry could not be read.</summary>
    private sealed record LabList(List<LabDraft> Labs, bool IsComplete);

    private sealed record TemplateFile(string ImagePath, string FullPath, string RelativeFile);

    private sealed class LabDraft(int index, string path)
    {
        public int Index { get; } = index;

        public string Path { get; } = path;

        public string? SubscriptionId { get; set; }

        public string? RawSubscriptionId { get; set; }

        public string? LabName { get; set; }

        public string? ResourceGroup { get; set; }

        public bool NamesAreValid { get; set; } = true;

        // False when an ImagePaths value could not be read: the lab's selection is then unknown.
        public bool ImagePathsComplete { get; set; } = true;

        public List<string> ImagePaths { get; } = [];

        public HashSet<string> SelectedImagePaths { get; } = new(ImagePathComparer.Instance);

        // Only called when the inspection found no error, so every required value is present and valid.
        public LabTarget ToLabTarget(IReadOnlyList<GoldenImage> goldenImages)
        {
            var subscriptionId = SubscriptionId ?? throw new InvalidOperationException("A lab without a valid subscription id cannot become a target.");
            var labName = LabName ?? throw new InvalidOperationException("A lab without a name cannot become a target.");
            string? resourceId = null;
            if (ResourceGroup is not null && NamesAreValid)
            {
                // Written out rather than built with AppendProviderResource, which lower-cases "resourceGroups";
                // parsing it back checks that the names produced a well-formed lab id.
                var id = new ResourceIdentifier($"/subscriptions/{subscriptionId}/resourceGroups/{ResourceGroup}/providers/{LabResourceType.Namespace}/{LabResourceType.Type}/{labName}");
                if (id.ResourceType != LabResourceType || id.Name != labName || id.ResourceGroupName != ResourceGroup)
                {
                    throw new InvalidOperationException($"Lab '{labName}' in resource group '{ResourceGroup}' does not give a valid resource id: {id}.");
                }

                resourceId = id.ToString();
            }

            var selected = goldenImages.Where(image => SelectedImagePaths.Contains(image.ImagePath)).ToList();
            return new LabTarget(Index, subscriptionId, labName, ResourceGroup, resourceId, ImagePaths.AsReadOnly(), selected.AsReadOnly());
        }
    }
}
