namespace ImageFactory.Engine.Azure;

/// <summary>The Resource Manager api-versions the factory speaks, pinned so no provider look-up is ever needed.</summary>
public static class ApiVersions
{
    public const string DevTestLabs = "2018-09-15";
    public const string Disks = "2025-01-02";
    public const string Storage = "2025-08-01";
    public const string Resources = "2021-04-01";
}

/// <summary>A DevTest Labs lab as the factory needs it.</summary>
public sealed record LabInfo(
    string Id,
    string SubscriptionId,
    string ResourceGroup,
    string Name,
    string Location,
    string? ArtifactsStorageAccountId,
    string? DefaultStorageAccountId);

/// <summary>A lab VM with its compute view ($expand=properties($expand=computeVm)).</summary>
public sealed record LabVmInfo(
    string Id,
    string Name,
    IReadOnlyDictionary<string, string> Tags,
    string? Notes,
    string? OsType,
    string? ProvisioningState,
    DateTimeOffset? CreatedDate,
    string? ComputeId,
    string? PowerState,
    string? OsDiskId);

/// <summary>A lab custom image.</summary>
public sealed record CustomImageInfo(
    string Id,
    string Name,
    IReadOnlyDictionary<string, string> Tags,
    string? OsType,
    string? VhdImageName,
    bool? SysPrep,
    string? Description,
    DateTimeOffset? CreationDate,
    string? ProvisioningState);

/// <summary>What a custom image is created from: a VHD in the lab's own storage account.</summary>
public sealed record CustomImageFromVhdRequest(
    string Name,
    Uri VhdUri,
    string OsType,
    bool SysPrep,
    string? Description,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>A storage account's blob endpoint (primaryEndpoints.blob) and its resource id.</summary>
public sealed record StorageAccountInfo(string Id, string Name, Uri BlobEndpoint);
