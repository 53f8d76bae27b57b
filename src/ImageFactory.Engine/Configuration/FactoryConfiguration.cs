namespace ImageFactory.Engine.Configuration;

/// <summary>A validated factory configuration: every golden image and every target lab, free of errors.</summary>
public sealed class FactoryConfiguration
{
    /// <summary>Creates a configuration.</summary>
    public FactoryConfiguration(
        string root,
        string labsFile,
        IReadOnlyList<GoldenImage> goldenImages,
        IReadOnlyList<LabTarget> labs,
        IReadOnlyList<ConfigurationFinding> warnings)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(labsFile);
        ArgumentNullException.ThrowIfNull(goldenImages);
        ArgumentNullException.ThrowIfNull(labs);
        ArgumentNullException.ThrowIfNull(warnings);
        Root = root;
        LabsFile = labsFile;
        GoldenImages = goldenImages;
        Labs = labs;
        Warnings = warnings;
    }

    /// <summary>Absolute path of the configuration root folder.</summary>
    public string Root { get; }

    /// <summary>Absolute path of <c>Labs.json</c>.</summary>
    public string LabsFile { get; }

    /// <summary>Every template under <c>GoldenImages</c>, ordered by <see cref="GoldenImage.ImagePath"/>.</summary>
    public IReadOnlyList<GoldenImage> GoldenImages { get; }

    /// <summary>The labs of <c>Labs.json</c>, in file order.</summary>
    public IReadOnlyList<LabTarget> Labs { get; }

    /// <summary>Warnings found while loading (there are no errors in a loaded configuration).</summary>
    public IReadOnlyList<ConfigurationFinding> Warnings { get; }
}
