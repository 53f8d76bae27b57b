namespace ImageFactory.Engine.Configuration;

/// <summary>
/// The stable identifiers of configuration findings (<see cref="ConfigurationFinding.Code"/>).
/// Scripts and pipelines filter on these strings, so existing values must never change meaning.
/// </summary>
public static class FindingCodes
{
    /// <summary>The configuration root folder does not exist.</summary>
    public const string ConfigurationRootMissing = nameof(ConfigurationRootMissing);

    /// <summary>The configuration root has no <c>Labs.json</c>.</summary>
    public const string LabsFileMissing = nameof(LabsFileMissing);

    /// <summary>The configuration root has no <c>GoldenImages</c> folder.</summary>
    public const string GoldenImagesFolderMissing = nameof(GoldenImagesFolderMissing);

    /// <summary>The <c>GoldenImages</c> folder holds no <c>*.json</c> template (warning).</summary>
    public const string GoldenImagesFolderEmpty = nameof(GoldenImagesFolderEmpty);

    /// <summary>A file or folder exists but could not be read (permissions, I/O error).</summary>
    public const string FileUnreadable = nameof(FileUnreadable);

    /// <summary>A file is not well-formed JSON (comments and trailing commas are accepted).</summary>
    public const string JsonMalformed = nameof(JsonMalformed);

    /// <summary>A property has the wrong JSON type (for example a string where an array is expected).</summary>
    public const string PropertyWrongType = nameof(PropertyWrongType);

    /// <summary><c>Labs.json</c> has no <c>Labs</c> array.</summary>
    public const string LabsMissing = nameof(LabsMissing);

    /// <summary><c>Labs</c> is an empty array (warning: images are built but distributed nowhere).</summary>
    public const string LabsEmpty = nameof(LabsEmpty);

    /// <summary>A lab entry has no (or an empty) <c>SubscriptionId</c>.</summary>
    public const string SubscriptionIdMissing = nameof(SubscriptionIdMissing);

    /// <summary>A lab's <c>SubscriptionId</c> is not a GUID.</summary>
    public const string SubscriptionIdInvalid = nameof(SubscriptionIdInvalid);

    /// <summary>A lab entry has no (or an empty) <c>LabName</c>.</summary>
    public const string LabNameMissing = nameof(LabNameMissing);

    /// <summary>A lab's <c>LabName</c> breaks the DevTest Labs naming rule.</summary>
    public const string LabNameInvalid = nameof(LabNameInvalid);

    /// <summary>A lab's <c>ResourceGroup</c> breaks the Azure resource group naming rule.</summary>
    public const string ResourceGroupInvalid = nameof(ResourceGroupInvalid);

    /// <summary>Two lab entries name the same lab in the same subscription.</summary>
    public const string LabDuplicate = nameof(LabDuplicate);

    /// <summary>A lab entry has no <c>ImagePaths</c>, or an empty array.</summary>
    public const string ImagePathsMissing = nameof(ImagePathsMissing);

    /// <summary>An <c>ImagePaths</c> entry is empty or names nothing once normalized.</summary>
    public const string ImagePathEmpty = nameof(ImagePathEmpty);

    /// <summary>An <c>ImagePaths</c> entry is absolute (<c>/x</c>, <c>C:\x</c>, <c>\\server\x</c>).</summary>
    public const string ImagePathAbsolute = nameof(ImagePathAbsolute);

    /// <summary>An <c>ImagePaths</c> entry has a <c>..</c> segment and could leave the GoldenImages folder.</summary>
    public const string ImagePathEscapesGoldenImages = nameof(ImagePathEscapesGoldenImages);

    /// <summary>An <c>ImagePaths</c> entry matches no template.</summary>
    public const string ImagePathNoMatch = nameof(ImagePathNoMatch);

    /// <summary>A lab lists the same <c>ImagePaths</c> entry twice (warning).</summary>
    public const string ImagePathDuplicate = nameof(ImagePathDuplicate);

    /// <summary>No lab subscribes to a template (warning: the image is built and never distributed).</summary>
    public const string TemplateUnused = nameof(TemplateUnused);

    /// <summary>A template is not an ARM deployment template (no root object with a <c>resources</c> array).</summary>
    public const string TemplateNotArmTemplate = nameof(TemplateNotArmTemplate);

    /// <summary>A template declares no <c>Microsoft.DevTestLab/labs/virtualmachines</c> resource.</summary>
    public const string TemplateHasNoLabVm = nameof(TemplateHasNoLabVm);

    /// <summary>A template declares more than one lab VM; the factory captures one image per template.</summary>
    public const string TemplateHasMultipleLabVms = nameof(TemplateHasMultipleLabVms);

    /// <summary>The OS type of a template's lab VM cannot be determined.</summary>
    public const string OsTypeUndetermined = nameof(OsTypeUndetermined);

    /// <summary>A template does not declare a parameter the factory passes when deploying it (warning).</summary>
    public const string TemplateParameterMissing = nameof(TemplateParameterMissing);

    /// <summary>Two templates would produce the same image name stem.</summary>
    public const string ImageNameStemCollision = nameof(ImageNameStemCollision);
}
