namespace ImageFactory.Engine.Distribution;

public enum DistributionAction
{
    /// <summary>The image is missing in the lab: copy the VHD there and create the custom image.</summary>
    Copy,

    /// <summary>The lab already has the image (same name, or same source VHD recorded in a tag).</summary>
    Skip,

    /// <summary>It cannot be distributed (lab not found, no access, no saved VHD): see Reason.</summary>
    Blocked,
}

/// <summary>
/// One (image, target lab) pair of a distribution plan. Every property a publisher needs is here, so a plan saved
/// as JSON (ConvertTo-Json) and read back (ConvertFrom-Json) binds to Publish-LabCustomImage by property name.
/// Nothing secret is in it: URLs carry no SAS.
/// </summary>
public sealed class DistributionPlanItem
{
    public required DistributionAction Action { get; init; }

    public string? Reason { get; init; }

    public required string ImageName { get; init; }

    public required string ImagePath { get; init; }

    /// <summary>The saved VHD's identity, tagged on the custom image (<see cref="ImageTags.SourceId"/>).</summary>
    public required string SourceId { get; init; }

    public required string OsType { get; init; }

    public bool Specialized { get; init; }

    public string? Description { get; init; }

    /// <summary>The saved VHD in the factory store (no SAS).</summary>
    public required Uri SourceVhdUri { get; init; }

    public required string SourceStorageAccountId { get; init; }

    public required string SourceLocation { get; init; }

    public required string TargetSubscriptionId { get; init; }

    public required string TargetLabName { get; init; }

    public string? TargetResourceGroupName { get; init; }

    public string? TargetLabId { get; init; }

    public string? TargetLocation { get; init; }

    /// <summary>The lab's own storage account: the only place the service accepts a VHD for a custom image.</summary>
    public string? TargetStorageAccountId { get; init; }

    /// <summary>For Skip: the image already there.</summary>
    public string? ExistingImageName { get; init; }

    public override string ToString() => $"{Action} {ImageName} -> {TargetLabName}";
}

public enum DistributionStatus
{
    Published,
    Skipped,
    Blocked,
    Failed,
}

/// <summary>What Publish-LabCustomImage did for one (image, lab) pair.</summary>
public sealed class DistributionResult
{
    public required string ImageName { get; init; }

    public required string ImagePath { get; init; }

    public required string TargetLabName { get; init; }

    public required string TargetSubscriptionId { get; init; }

    public required DistributionStatus Status { get; init; }

    public string? Reason { get; init; }

    /// <summary>Where the VHD was copied from: the factory store, or a lab that already had it (replica).</summary>
    public string? CopiedFrom { get; init; }

    public long BytesCopied { get; init; }

    public TimeSpan Duration { get; init; }

    public string? CustomImageId { get; init; }

    public override string ToString() => $"{ImageName} -> {TargetLabName}: {Status}";
}

/// <summary>The totals of a Publish-LabCustomImage run, written last.</summary>
public sealed class DistributionSummary
{
    public int Published { get; init; }

    public int Skipped { get; init; }

    public int Failed { get; init; }

    public int Blocked { get; init; }

    public long BytesCopied { get; init; }

    public TimeSpan Duration { get; init; }

    public override string ToString() =>
        $"{Published} published, {Skipped} skipped, {Failed} failed, {Blocked} blocked";
}
