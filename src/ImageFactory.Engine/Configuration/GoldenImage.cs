namespace ImageFactory.Engine.Configuration;

/// <summary>One golden image template found under <c>GoldenImages</c>, validated and with its names assigned.</summary>
public sealed class GoldenImage
{
    /// <summary>Creates a golden image description.</summary>
    public GoldenImage(
        string imagePath,
        string templatePath,
        GoldenImageOsType osType,
        string? description,
        BaseImageReference? baseImage,
        string imageNameStem,
        string vmName,
        IReadOnlyList<string> templateParameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        ArgumentException.ThrowIfNullOrEmpty(templatePath);
        ArgumentException.ThrowIfNullOrEmpty(imageNameStem);
        ArgumentException.ThrowIfNullOrEmpty(vmName);
        ArgumentNullException.ThrowIfNull(templateParameters);
        ImagePath = imagePath;
        TemplatePath = templatePath;
        OsType = osType;
        Description = description;
        BaseImage = baseImage;
        ImageNameStem = imageNameStem;
        VmName = vmName;
        TemplateParameters = templateParameters;
    }

    /// <summary>
    /// Path of the template relative to <c>GoldenImages</c>, forward slashes, original casing,
    /// e.g. <c>Win2016/Datacenter.json</c>. This is the identity of the image: it is what the factory tags
    /// VMs and images with, and what <c>Labs.json</c> refers to.
    /// </summary>
    public string ImagePath { get; }

    /// <summary>Absolute path of the template file.</summary>
    public string TemplatePath { get; }

    /// <summary>Operating system of the lab VM the template creates.</summary>
    public GoldenImageOsType OsType { get; }

    /// <summary>The lab VM's <c>properties.notes</c>; becomes the custom image's description.</summary>
    public string? Description { get; }

    /// <summary>The marketplace image the VM starts from, or null when the template has no gallery image reference.</summary>
    public BaseImageReference? BaseImage { get; }

    /// <summary>Custom image name without the date, see <see cref="ImageNaming.GetImageNameStem"/>.</summary>
    public string ImageNameStem { get; }

    /// <summary>Name of the lab VM the factory builds from this template, see <see cref="VmNaming"/>.</summary>
    public string VmName { get; }

    /// <summary>Names of the template's declared parameters (<c>parameters</c> object), as written.</summary>
    public IReadOnlyList<string> TemplateParameters { get; }

    /// <inheritdoc />
    public override string ToString() => ImagePath;
}
