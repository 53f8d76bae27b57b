namespace ImageFactory.Engine.Vhds;

/// <summary>A VM of the factory lab, as <c>Get-LabGoldenVm</c> shows it: what it builds and whether it can be saved now.</summary>
public sealed class GoldenVm
{
    public required string Name { get; init; }

    public required string LabName { get; init; }

    public required string SubscriptionId { get; init; }

    public required string ResourceGroupName { get; init; }

    /// <summary>The ImagePath tag (forward slashes), or null for a VM the factory did not make.</summary>
    public string? ImagePath { get; init; }

    public string? OsType { get; init; }

    /// <summary>As Azure writes it after <c>PowerState/</c>: deallocated, running, stopped, starting, deallocating...</summary>
    public string? PowerState { get; init; }

    public string? ProvisioningState { get; init; }

    /// <summary>True when the VM is deallocated and provisioned: its OS disk can be exported now.</summary>
    public bool CanSave { get; init; }

    /// <summary>Why it cannot be saved now (null when it can).</summary>
    public string? NotReadyReason { get; init; }

    /// <summary>The VM's notes: the image description.</summary>
    public string? Description { get; init; }

    public DateTimeOffset? CreatedDate { get; init; }

    public required string Id { get; init; }

    public string? OsDiskId { get; init; }

    public override string ToString() => $"{Name} ({ImagePath})";
}

/// <summary>A VHD saved in the factory store, with its record.</summary>
public sealed class SavedVhd
{
    public required string ImageName { get; init; }

    public required string ImagePath { get; init; }

    public required string OsType { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>True for a specialized VHD (not sysprepped/deprovisioned).</summary>
    public bool Specialized { get; init; }

    public string? Description { get; init; }

    public required string VhdFileName { get; init; }

    public required string RecordFileName { get; init; }

    /// <summary>The VHD's URL without any SAS.</summary>
    public required Uri VhdUri { get; init; }

    /// <summary>The saved VHD's identity (its file name without extension), recorded on distributed images.</summary>
    public required string SourceId { get; init; }

    public required string LabName { get; init; }

    public override string ToString() => ImageName;
}

public enum VhdSaveStatus
{
    Saved,
    Skipped,
    Failed,
}

/// <summary>What <c>Save-LabVhd</c> did for one VM.</summary>
public sealed class VhdSaveResult
{
    public required string VmName { get; init; }

    public string? ImagePath { get; init; }

    public string? ImageName { get; init; }

    public required VhdSaveStatus Status { get; init; }

    /// <summary>Why it was skipped or failed (null when saved).</summary>
    public string? Reason { get; init; }

    public bool Specialized { get; init; }

    public string? OsType { get; init; }

    /// <summary>The saved VHD's URL without any SAS (null unless saved).</summary>
    public Uri? VhdUri { get; init; }

    public string? RecordFileName { get; init; }

    public long BytesCopied { get; init; }

    public TimeSpan Duration { get; init; }

    public override string ToString() => $"{VmName}: {Status}";
}
