namespace LocalAzure.World;

/// <summary>
/// The live world: every ARM resource the emulator serves. All reads and writes of these objects happen while
/// holding <see cref="Sync"/>; blob I/O happens outside the lock.
/// </summary>
internal sealed class WorldState
{
    public Lock Sync { get; } = new();

    public Dictionary<string, Subscription> Subscriptions { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<Principal> Principals { get; } = [];

    /// <summary>Keyed by "{subscription}/{name}".</summary>
    public Dictionary<string, ResourceGroup> ResourceGroups { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Keyed by "{subscription}/{resourceGroup}/{name}".</summary>
    public Dictionary<string, Lab> Labs { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Keyed by ARM id.</summary>
    public Dictionary<string, ComputeVm> ComputeVms { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Keyed by ARM id.</summary>
    public Dictionary<string, ManagedDisk> Disks { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Keyed by account name.</summary>
    public Dictionary<string, StorageAccount> StorageAccounts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static string GroupKey(string subscription, string group) => subscription + "/" + group;

    public static string LabKey(string subscription, string group, string lab) => subscription + "/" + group + "/" + lab;

    /// <summary>A resource's ARM id, e.g. ("Microsoft.Compute/disks", name): also the key of <see cref="ComputeVms"/> and <see cref="Disks"/>.</summary>
    public static string ResourceId(string subscription, string group, string type, string name) =>
        $"/subscriptions/{subscription}/resourceGroups/{group}/providers/{type}/{name}";

    public ResourceGroup? FindGroup(string subscription, string group) =>
        ResourceGroups.GetValueOrDefault(GroupKey(subscription, group));

    public Lab? FindLab(string subscription, string group, string lab) =>
        Labs.GetValueOrDefault(LabKey(subscription, group, lab));

    public Lab? FindLabByStorageAccount(string account) =>
        Labs.Values.FirstOrDefault(l => string.Equals(l.StorageAccountName, account, StringComparison.OrdinalIgnoreCase));
}

internal sealed record Subscription(string Id, string DisplayName, string TenantId);

internal sealed record RoleAssignment(string Scope, RoleName Role);

internal sealed record Principal(
    string TenantId, string ClientId, string ClientSecret, string ObjectId, string DisplayName, IReadOnlyList<RoleAssignment> Roles);

internal sealed class ResourceGroup
{
    public required string SubscriptionId { get; init; }

    public required string Name { get; init; }

    public required string Location { get; init; }

    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

    /// <summary>A resource group created by DevTest Labs for one VM ("{lab}-{vm}-{suffix}").</summary>
    public string? ManagedBy { get; init; }

    public string Id => $"/subscriptions/{SubscriptionId}/resourceGroups/{Name}";
}

internal sealed class Lab
{
    public required string SubscriptionId { get; init; }

    public required string ResourceGroup { get; init; }

    public required string Name { get; init; }

    public required string Location { get; init; }

    public required string StorageAccountName { get; init; }

    public required string VaultName { get; init; }

    public required DateTimeOffset CreatedDate { get; init; }

    public required string UniqueIdentifier { get; init; }

    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, LabVm> Vms { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, CustomImage> Images { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string Id => $"/subscriptions/{SubscriptionId}/resourcegroups/{ResourceGroup}/providers/microsoft.devtestlab/labs/{Name}";

    public string StorageAccountId =>
        WorldState.ResourceId(SubscriptionId, ResourceGroup, "Microsoft.Storage/storageAccounts", StorageAccountName);
}

internal sealed class LabVm
{
    public required Lab Lab { get; init; }

    public required string Name { get; init; }

    public required OsType OsType { get; init; }

    public required string Size { get; init; }

    public required DateTimeOffset CreatedDate { get; init; }

    public required string UniqueIdentifier { get; init; }

    public required string ComputeId { get; init; }

    public required string UserName { get; init; }

    public required GalleryImageSeed GalleryImage { get; init; }

    public string? Notes { get; set; }

    public string ProvisioningState { get; set; } = "Succeeded";

    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Set while a delete runs: the VM is still listed, with provisioningState Deleting.</summary>
    public bool Deleting { get; set; }

    public string Id => $"{Lab.Id}/virtualmachines/{Name}";
}

internal enum VmPowerState
{
    Running,
    Starting,
    Stopping,
    Stopped,
    Deallocating,
    Deallocated,
}

internal sealed class ComputeVm
{
    public required string SubscriptionId { get; init; }

    public required string ResourceGroup { get; init; }

    public required string Name { get; init; }

    public required string Location { get; init; }

    public required string VmId { get; init; }

    public required string Size { get; init; }

    public required OsType OsType { get; init; }

    public required string OsDiskId { get; init; }

    public required DateTimeOffset TimeCreated { get; init; }

    public required GalleryImageSeed ImageReference { get; init; }

    public required string AdminUserName { get; init; }

    public VmPowerState PowerState { get; set; }

    public DateTimeOffset PowerStateChanged { get; set; }

    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

    public string Id => WorldState.ResourceId(SubscriptionId, ResourceGroup, "Microsoft.Compute/virtualMachines", Name);

    public string NetworkInterfaceId => WorldState.ResourceId(SubscriptionId, ResourceGroup, "Microsoft.Network/networkInterfaces", Name);
}

internal sealed class ManagedDisk
{
    public required string SubscriptionId { get; init; }

    public required string ResourceGroup { get; init; }

    public required string Name { get; init; }

    public required string Location { get; init; }

    public required int SizeGB { get; init; }

    public required OsType OsType { get; init; }

    public required DateTimeOffset TimeCreated { get; init; }

    public required string UniqueId { get; init; }

    /// <summary>Where the disk's bytes live: a page blob in the emulator's hidden disk account.</summary>
    public required BlobLocation Blob { get; init; }

    public string? ManagedBy { get; set; }

    /// <summary>True between a completed beginGetAccess and a completed endGetAccess.</summary>
    public bool ActiveSas { get; set; }

    /// <summary>The SAS URI handed out by the last grant (for inspection; never logged).</summary>
    public Uri? AccessSas { get; set; }

    public string Id => WorldState.ResourceId(SubscriptionId, ResourceGroup, "Microsoft.Compute/disks", Name);
}

internal sealed record BlobLocation(string Account, string Container, string Name);

internal sealed class StorageAccount
{
    public required string SubscriptionId { get; init; }

    public required string ResourceGroup { get; init; }

    public required string Name { get; init; }

    public required string Location { get; init; }

    public required DateTimeOffset CreationTime { get; init; }

    public required string Key1 { get; init; }

    public required string Key2 { get; init; }

    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

    public string Id => WorldState.ResourceId(SubscriptionId, ResourceGroup, "Microsoft.Storage/storageAccounts", Name);
}

internal sealed class CustomImage
{
    public required Lab Lab { get; init; }

    public required string Name { get; init; }

    public required OsType OsType { get; init; }

    public required string Author { get; init; }

    public required DateTimeOffset CreationDate { get; init; }

    public required string UniqueIdentifier { get; init; }

    public string? Description { get; set; }

    public string ProvisioningState { get; set; } = "Succeeded";

    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>From a VHD: the blob URI, sysPrep flag.</summary>
    public string? VhdImageName { get; init; }

    public bool VhdSysPrep { get; init; }

    /// <summary>From a VM: the lab VM id and the OS state (windowsOsState or linuxOsState).</summary>
    public string? SourceVmId { get; init; }

    public string? OsState { get; init; }

    /// <summary>Modelled size of the image's VHD in GiB, when known.</summary>
    public int? SizeGB { get; init; }

    public string Id => $"{Lab.Id}/customimages/{Name}";
}
