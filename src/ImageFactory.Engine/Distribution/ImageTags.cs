namespace ImageFactory.Engine.Distribution;

/// <summary>
/// The tags the factory writes on the custom images it creates. Retention only ever touches images carrying
/// <see cref="ImagePath"/>; <see cref="SourceId"/> names the saved VHD an image was made from, so a re-run
/// recognises an image it already made even under another name.
/// </summary>
public static class ImageTags
{
    /// <summary>The golden image's path relative to GoldenImages (forward slashes), as the original factory tagged it.</summary>
    public const string ImagePath = "ImagePath";

    /// <summary>The saved VHD's identity (<c>SavedVhd.SourceId</c>, its file name without extension).</summary>
    public const string SourceId = "ImageFactorySourceId";
}
