using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LocalAzure.Storage;

namespace LocalAzure.World;

/// <summary>
/// Turns a <see cref="WorldFile"/> into a <see cref="WorldState"/> (deterministically, from the world's seed) and,
/// once blob storage runs, writes the blobs the world declares (OS disks, saved VHDs, records).
/// </summary>
internal sealed class WorldSeeder
{
    /// <summary>The hidden account that holds managed disks' bytes (like Azure's md-*.blob.storage.azure.net).</summary>
    public const string DiskAccountName = "localazuremdisks";

    public const string DiskContainer = "disks";

    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    private readonly WorldFile _file;
    private readonly Random _random;
    private readonly List<PendingBlob> _blobs = [];

    public WorldSeeder(WorldFile file)
    {
        _file = file;
#pragma warning disable CA5394 // Seeded on purpose: names and ids are reproducible from the world file.
        _random = new Random(file.Seed);
#pragma warning restore CA5394
        State = Build();
    }

    public WorldState State { get; }

    /// <summary>Every storage account Azurite must serve, with its key (lab accounts and the hidden disk account).</summary>
    public IReadOnlyList<(string Name, string Key)> Accounts =>
        [.. State.StorageAccounts.Values.Select(a => (a.Name, a.Key1)), (DiskAccountName, DiskAccountKey)];

    public string DiskAccountKey { get; private set; } = string.Empty;

    public static string TagValue(IReadOnlyDictionary<string, string>? tags, string name) =>
        tags is not null && tags.TryGetValue(name, out var value) ? value : string.Empty;

    /// <summary>Writes the declared blobs (in parallel, a few at a time).</summary>
    public async Task WriteBlobsAsync(IBlobBackend blobs, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(
            _blobs,
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                if (blob.Content is { } content)
                {
                    await blobs.CreateBlockBlobAsync(blob.Location.Account, blob.Location.Container, blob.Location.Name, content, ct).ConfigureAwait(false);
                }
                else
                {
                    await blobs.CreatePageBlobAsync(
                        blob.Location.Account, blob.Location.Container, blob.Location.Name, blob.RealBytes, blob.ModelledBytes,
                        blob.Metadata, ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
    }

    private WorldState Build()
    {
        var state = new WorldState();
        var now = DateTimeOffset.UtcNow;
        foreach (var s in _file.Subscriptions)
        {
            state.Subscriptions[s.Id] = new Subscription(s.Id.ToLowerInvariant(), s.DisplayName ?? "Subscription " + s.Id[..8], s.TenantId.ToLowerInvariant());
        }

        foreach (var p in _file.Principals)
        {
            state.Principals.Add(new Principal(
                p.TenantId.ToLowerInvariant(), p.ClientId, p.ClientSecret, p.ObjectId ?? NextGuid(), p.DisplayName ?? p.ClientId,
                [.. p.RoleAssignments.Select(a => new RoleAssignment(a.Scope, a.Role))]));
        }

        foreach (var g in _file.ResourceGroups)
        {
            state.ResourceGroups[WorldState.GroupKey(g.SubscriptionId, g.Name)] = new ResourceGroup
            {
                SubscriptionId = g.SubscriptionId.ToLowerInvariant(),
                Name = g.Name,
                Location = g.Location,
                Tags = Copy(g.Tags),
            };
        }

        DiskAccountKey = NextKey();
        foreach (var seed in _file.Labs)
        {
            SeedLab(state, seed, now);
        }

        return state;
    }

    private void SeedLab(WorldState state, LabSeed seed, DateTimeOffset now)
    {
        var group = state.FindGroup(seed.SubscriptionId, seed.ResourceGroup)!;
        var location = seed.Location ?? group.Location;
        var accountName = seed.StorageAccountName ?? GenerateAccountName(state, seed.Name);
        var lab = new Lab
        {
            SubscriptionId = group.SubscriptionId,
            ResourceGroup = group.Name,
            Name = seed.Name,
            Location = location,
            StorageAccountName = accountName,
            VaultName = WorldState.ResourceId(group.SubscriptionId, group.Name, "Microsoft.KeyVault/vaults", Truncate(seed.Name, 18) + NextDigits(6)),
            CreatedDate = seed.CreatedDate ?? now.AddDays(-200),
            UniqueIdentifier = NextGuid(),
            Tags = Copy(seed.Tags),
        };
        state.Labs[WorldState.LabKey(lab.SubscriptionId, lab.ResourceGroup, lab.Name)] = lab;
        state.StorageAccounts[accountName] = new StorageAccount
        {
            SubscriptionId = lab.SubscriptionId,
            ResourceGroup = lab.ResourceGroup,
            Name = accountName,
            Location = location,
            CreationTime = lab.CreatedDate,
            Key1 = NextKey(),
            Key2 = NextKey(),
            Tags = new(StringComparer.Ordinal) { ["hidden-DevTestLabs-LabUId"] = lab.UniqueIdentifier },
        };

        foreach (var vmSeed in seed.VirtualMachines)
        {
            SeedVm(state, lab, vmSeed, now);
        }

        foreach (var vhd in seed.Vhds)
        {
            var location1 = new BlobLocation(accountName, vhd.Container, vhd.Name);
            _blobs.Add(new PendingBlob(location1, (long)(vhd.RealSizeMiB * MiB), vhd.SizeGB * GiB, vhd.Metadata?.ToDictionary(StringComparer.Ordinal), null));
            if (vhd.Record is { } record)
            {
                var recordName = vhd.RecordName
                    ?? (vhd.Name.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase) ? vhd.Name[..^4] : vhd.Name) + ".json";
                _blobs.Add(new PendingBlob(
                    new BlobLocation(accountName, vhd.Container, recordName), 0, 0, null,
                    BinaryData.FromString(JsonSerializer.Serialize(record))));
            }
        }

        foreach (var imageSeed in seed.CustomImages)
        {
            // An image without a source was made from a VHD that has since been cleaned up.
            var imageName = imageSeed.Vhd?.ImageName
                ?? (imageSeed.SourceVm is null ? $"https://{accountName}.blob.core.windows.net/uploads/{imageSeed.Name}.vhd" : null);
            var image = new CustomImage
            {
                Lab = lab,
                Name = imageSeed.Name,
                OsType = imageSeed.OsType,
                Author = imageSeed.Author,
                CreationDate = imageSeed.CreationDate ?? now.AddDays(-30),
                UniqueIdentifier = NextGuid(),
                Description = imageSeed.Description,
                Tags = Copy(imageSeed.Tags),
                VhdImageName = imageName,
                VhdSysPrep = imageSeed.Vhd?.SysPrep ?? false,
                SourceVmId = imageSeed.SourceVm is { } vm ? $"{lab.Id}/virtualmachines/{vm}" : null,
                OsState = imageSeed.SourceVm is null ? null : imageSeed.OsType == OsType.Windows ? "SysprepApplied" : "DeprovisionApplied",
                SizeGB = 127,
            };
            lab.Images[image.Name] = image;
        }
    }

    private void SeedVm(WorldState state, Lab lab, LabVmSeed seed, DateTimeOffset now)
    {
        var computeGroup = new ResourceGroup
        {
            SubscriptionId = lab.SubscriptionId,
            Name = $"{lab.Name}-{seed.Name}-{NextDigits(6)}",
            Location = lab.Location,
            ManagedBy = lab.Id,
            Tags = new(StringComparer.Ordinal) { ["hidden-DevTestLabs-LabUId"] = lab.UniqueIdentifier },
        };
        state.ResourceGroups[WorldState.GroupKey(computeGroup.SubscriptionId, computeGroup.Name)] = computeGroup;
        var created = seed.CreatedDate ?? now.AddDays(-10);
        var diskName = $"{seed.Name}_OsDisk_1_{NextGuid().Replace("-", string.Empty, StringComparison.Ordinal)}";
        var disk = new ManagedDisk
        {
            SubscriptionId = lab.SubscriptionId,
            ResourceGroup = computeGroup.Name,
            Name = diskName,
            Location = lab.Location,
            SizeGB = seed.OsDisk.SizeGB,
            OsType = seed.OsType,
            TimeCreated = created,
            UniqueId = NextGuid(),
            Blob = new BlobLocation(DiskAccountName, DiskContainer, diskName.ToLowerInvariant() + ".vhd"),
        };
        var image = seed.GalleryImageReference ?? (seed.OsType == OsType.Linux
            ? new GalleryImageSeed { Publisher = "Canonical", Offer = "UbuntuServer", Sku = "18.04-LTS" }
            : new GalleryImageSeed());
        var vm = new ComputeVm
        {
            SubscriptionId = lab.SubscriptionId,
            ResourceGroup = computeGroup.Name,
            Name = seed.Name,
            Location = lab.Location,
            VmId = NextGuid(),
            Size = seed.Size,
            OsType = seed.OsType,
            OsDiskId = disk.Id,
            TimeCreated = created,
            ImageReference = image,
            AdminUserName = seed.UserName,
            PowerState = seed.PowerState switch
            {
                PowerState.Stopped => VmPowerState.Stopped,
                PowerState.Deallocated => VmPowerState.Deallocated,
                _ => VmPowerState.Running,
            },
            PowerStateChanged = now,
        };
        disk.ManagedBy = vm.Id;
        state.ComputeVms[vm.Id] = vm;
        state.Disks[disk.Id] = disk;
        lab.Vms[seed.Name] = new LabVm
        {
            Lab = lab,
            Name = seed.Name,
            OsType = seed.OsType,
            Size = seed.Size,
            CreatedDate = created,
            UniqueIdentifier = NextGuid(),
            ComputeId = vm.Id,
            UserName = seed.UserName,
            GalleryImage = image,
            Notes = seed.Notes,
            ProvisioningState = seed.ProvisioningState,
            Tags = Copy(seed.Tags),
        };
        _blobs.Add(new PendingBlob(
            disk.Blob, (long)(seed.OsDisk.RealSizeMiB * MiB), seed.OsDisk.SizeGB * GiB,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["diskid"] = disk.UniqueId }, null));
    }

    private string GenerateAccountName(WorldState state, string labName)
    {
        var letters = new StringBuilder("a");
        foreach (var c in labName.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' && letters.Length < 19)
            {
                letters.Append(c);
            }
        }

        string name;
        do
        {
            name = letters + NextDigits(4);
        }
        while (state.StorageAccounts.ContainsKey(name) || name == DiskAccountName);

        return name;
    }

    private string NextGuid()
    {
        var bytes = new byte[16];
#pragma warning disable CA5394
        _random.NextBytes(bytes);
#pragma warning restore CA5394
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }

    private string NextDigits(int count)
    {
        var builder = new StringBuilder(count);
        for (var i = 0; i < count; i++)
        {
#pragma warning disable CA5394
            builder.Append(_random.Next(10).ToString(CultureInfo.InvariantCulture));
#pragma warning restore CA5394
        }

        return builder.ToString();
    }

    private string NextKey()
    {
        // A fixed-seed key is reproducible; hash it so it does not look like the raw seed bytes.
        var bytes = new byte[64];
#pragma warning disable CA5394
        _random.NextBytes(bytes);
#pragma warning restore CA5394
        return Convert.ToBase64String(SHA512.HashData(bytes));
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    private static Dictionary<string, string> Copy(IReadOnlyDictionary<string, string>? tags) =>
        tags is null ? new(StringComparer.Ordinal) : tags.ToDictionary(StringComparer.Ordinal);

    private sealed record PendingBlob(BlobLocation Location, long RealBytes, long ModelledBytes, Dictionary<string, string>? Metadata, BinaryData? Content);
}
