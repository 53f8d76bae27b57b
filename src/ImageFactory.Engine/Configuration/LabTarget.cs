namespace ImageFactory.Engine.Configuration;

/// <summary>One entry of <c>Labs.json</c>: a lab that receives golden images.</summary>
public sealed class LabTarget
{
    /// <summary>Creates a lab target.</summary>
    public LabTarget(
        int index,
        string subscriptionId,
        string labName,
        string? resourceGroup,
        string? resourceId,
        IReadOnlyList<string> imagePaths,
        IReadOnlyList<GoldenImage> goldenImages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        ArgumentException.ThrowIfNullOrEmpty(labName);
        ArgumentNullException.ThrowIfNull(imagePaths);
        ArgumentNullException.ThrowIfNull(goldenImages);
        Index = index;
        SubscriptionId = subscriptionId;
        LabName = labName;
        ResourceGroup = resourceGroup;
        ResourceId = resourceId;
        ImagePaths = imagePaths;
        GoldenImages = goldenImages;
    }

    /// <summary>Position of the entry in the <c>Labs</c> array (0-based).</summary>
    public int Index { get; }

    /// <summary>Subscription holding the lab, as a lower-case GUID in the <c>D</c> format.</summary>
    public string SubscriptionId { get; }

    /// <summary>Name of the DevTest Lab.</summary>
    public string LabName { get; }

    /// <summary>Resource group of the lab, or null when <c>Labs.json</c> leaves it out (the factory then finds the lab by name).</summary>
    public string? ResourceGroup { get; }

    /// <summary>
    /// ARM id of the lab (<c>/subscriptions/{id}/resourceGroups/{rg}/providers/Microsoft.DevTestLab/labs/{name}</c>)
    /// when <see cref="ResourceGroup"/> is known, else null.
    /// </summary>
    public string? ResourceId { get; }

    /// <summary>The <c>ImagePaths</c> entries exactly as written in <c>Labs.json</c>.</summary>
    public IReadOnlyList<string> ImagePaths { get; }

    /// <summary>The golden images those entries select: distinct, ordered by <see cref="GoldenImage.ImagePath"/>.</summary>
    public IReadOnlyList<GoldenImage> GoldenImages { get; }

    /// <inheritdoc />
    public override string ToString() => $"{LabName} ({SubscriptionId})";
}
