namespace ImageFactory.Engine.Retention;

/// <summary>Where an image lives: the factory store (a saved VHD and its record) or a lab (a custom image).</summary>
public enum RetentionLocation
{
    FactoryStore,
    Lab,
}

/// <summary>What <c>Remove-LabStaleImage</c> did with an image.</summary>
public enum RetentionAction
{
    /// <summary>Kept: among the newest of its ImagePath, or being created.</summary>
    Kept,

    /// <summary>Deleted.</summary>
    Deleted,

    /// <summary>Planned for deletion but not deleted: -WhatIf, or the confirmation was declined.</summary>
    WouldDelete,

    /// <summary>The deletion failed; a non-terminating error says why.</summary>
    Failed,
}

/// <summary>
/// Why an image is kept or deleted. An image selected by several rules (expired and orphaned, say) carries every
/// reason and is deleted once.
/// </summary>
[Flags]
public enum RetentionReasons
{
    None = 0,

    /// <summary>Kept: one of the newest -ImagesToSave of its ImagePath.</summary>
    Newest = 1,

    /// <summary>Older than the newest -ImagesToSave of its ImagePath.</summary>
    Expired = 2,

    /// <summary>Its golden template is no longer under GoldenImages.</summary>
    TemplateRemoved = 4,

    /// <summary>The target lab no longer subscribes to its ImagePath in Labs.json.</summary>
    NotSubscribed = 8,

    /// <summary>The lab was dropped from Labs.json and named with -DroppedLab.</summary>
    LabDropped = 16,

    /// <summary>A store VHD without its record, or a record without its VHD, older than the grace period.</summary>
    Orphaned = 32,

    /// <summary>Kept: the image is still being created.</summary>
    InProgress = 64,
}

/// <summary>One image considered by <c>Remove-LabStaleImage</c>: what was done with it, and why.</summary>
public sealed class ImageRetentionResult
{
    public required RetentionLocation Location { get; init; }

    /// <summary>The lab holding the image (for the factory store: the factory lab).</summary>
    public required string LabName { get; init; }

    public required string SubscriptionId { get; init; }

    /// <summary>The custom image's name, or the saved VHD's image name (its blob name for an orphan).</summary>
    public required string Name { get; init; }

    /// <summary>The ImagePath tag or record field (forward slashes); null for an orphan VHD.</summary>
    public string? ImagePath { get; init; }

    public required RetentionAction Action { get; init; }

    public required RetentionReasons Reason { get; init; }

    /// <summary>The reasons in words (for a failure: what went wrong).</summary>
    public string? Details { get; init; }

    /// <summary>When the image was created (the record's timestamp in the store).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>The saved VHD the image was made from (ImageFactorySourceId tag, or the store VHD's own id).</summary>
    public string? SourceId { get; init; }

    /// <summary>The custom image's resource id, or the VHD's URL without any SAS.</summary>
    public required string Id { get; init; }

    public override string ToString() => $"{LabName}/{Name}: {Action} ({Reason})";
}

/// <summary>What <c>Remove-LabGoldenVm</c> did with a VM of the factory lab.</summary>
public enum GoldenVmRemovalAction
{
    Deleted,

    /// <summary>Would be deleted: -WhatIf, or the confirmation was declined.</summary>
    WouldDelete,

    /// <summary>Kept on purpose (tagged FactoryIgnore).</summary>
    Kept,

    /// <summary>Not deleted because its VHD has not been saved yet (use -Force).</summary>
    Refused,

    Failed,
}

/// <summary>Why a factory VM is deleted, kept or refused.</summary>
public enum GoldenVmRemovalReason
{
    /// <summary>Its VHD is saved in the factory store (a record newer than the VM).</summary>
    Saved,

    /// <summary>Its provisioning failed: nothing can be saved from it.</summary>
    ProvisioningFailed,

    /// <summary>Not saved, deleted anyway with -Force.</summary>
    Forced,

    /// <summary>Tagged FactoryIgnore.</summary>
    FactoryIgnore,

    /// <summary>No record newer than the VM's creation: its VHD is not saved.</summary>
    NotSaved,
}

/// <summary>One VM considered by <c>Remove-LabGoldenVm</c>.</summary>
public sealed class GoldenVmRemovalResult
{
    public required string Name { get; init; }

    public string? ImagePath { get; init; }

    public required string LabName { get; init; }

    public required GoldenVmRemovalAction Action { get; init; }

    public required GoldenVmRemovalReason Reason { get; init; }

    /// <summary>The reason in words (for a failure: what went wrong).</summary>
    public string? Details { get; init; }

    /// <summary>The image name of the VHD saved from the VM (null when not saved).</summary>
    public string? SavedAs { get; init; }

    public string? ProvisioningState { get; init; }

    public DateTimeOffset? CreatedDate { get; init; }

    public required string Id { get; init; }

    public override string ToString() => $"{Name}: {Action} ({Reason})";
}

/// <summary>
/// A problem met while reading (a lab not found, no access, an unreadable store): reported as a non-terminating
/// error with this id and category, the rest of the run goes on.
/// </summary>
public sealed record RetentionProblem(Exception Exception, string ErrorId, Execution.FailureCategory Category, object? Target);
