namespace LocalAzure.Arm;

/// <summary>
/// The resource providers the emulator registers: namespaces, resource types and the api-versions each accepts
/// (newest first: ArmClient takes the first listed version when none is pinned). Responses always have the shape of
/// the newest version's examples.
/// </summary>
internal static class ProviderCatalog
{
    public const string DevTestLab = "Microsoft.DevTestLab";
    public const string Compute = "Microsoft.Compute";
    public const string Storage = "Microsoft.Storage";
    public const string Resources = "Microsoft.Resources";

    public const string DevTestLabVersion = "2018-09-15";

    /// <summary>Versions for subscriptions, resource groups, resource lists and provider documents.</summary>
    public static readonly IReadOnlyList<string> ResourcesVersions =
    [
        "2024-11-01", "2024-07-01", "2024-03-01", "2023-07-01", "2022-12-01", "2022-09-01", "2022-01-01", "2021-04-01",
        "2021-01-01", "2020-10-01", "2020-06-01", "2020-01-01", "2019-11-01", "2019-10-01", "2019-08-01", "2019-07-01",
        "2019-06-01", "2019-05-10", "2019-05-01", "2019-03-01", "2018-05-01", "2018-02-01", "2017-05-10", "2016-09-01",
        "2016-06-01", "2016-02-01", "2015-11-01", "2015-01-01", "2014-04-01",
    ];

    private static readonly string[] DevTestLabVersions = [DevTestLabVersion];

    private static readonly string[] VmVersions =
    [
        "2025-11-01", "2025-04-01", "2024-11-01", "2024-07-01", "2024-03-01", "2023-09-01", "2023-07-01", "2023-03-01",
        "2022-11-01", "2022-08-01", "2022-03-01", "2021-11-01", "2021-07-01", "2021-04-01", "2021-03-01", "2020-12-01",
        "2020-06-01", "2019-12-01", "2019-07-01", "2019-03-01", "2018-10-01", "2018-06-01", "2018-04-01", "2017-12-01",
    ];

    private static readonly string[] DiskVersions =
    [
        "2025-01-02", "2024-03-02", "2023-10-02", "2023-04-02", "2023-01-02", "2022-07-02", "2022-03-02", "2021-12-01",
        "2021-08-01", "2021-04-01", "2020-12-01", "2020-09-30", "2020-06-30", "2020-05-01", "2019-11-01", "2019-07-01",
        "2019-03-01", "2018-09-30", "2018-06-01", "2018-04-01", "2017-03-30",
    ];

    private static readonly string[] StorageVersions =
    [
        "2025-08-01", "2025-06-01", "2025-01-01", "2024-01-01", "2023-05-01", "2023-04-01", "2023-01-01", "2022-09-01",
        "2022-05-01", "2021-09-01", "2021-08-01", "2021-06-01", "2021-04-01", "2021-02-01", "2021-01-01", "2019-06-01",
        "2019-04-01", "2018-11-01", "2018-07-01", "2018-02-01", "2017-10-01", "2017-06-01", "2016-12-01", "2016-01-01",
    ];

    public static IReadOnlyList<ProviderNamespace> Providers { get; } =
    [
        new(DevTestLab,
        [
            new("labs", DevTestLabVersions),
            new("labs/virtualmachines", DevTestLabVersions),
            new("labs/customimages", DevTestLabVersions),
            new("locations", DevTestLabVersions),
            new("locations/operations", DevTestLabVersions),
            new("operations", DevTestLabVersions),
        ]),
        new(Compute,
        [
            new("virtualMachines", VmVersions),
            new("virtualMachines/instanceView", VmVersions),
            new("disks", DiskVersions),
            new("locations", VmVersions),
            new("locations/operations", [.. VmVersions.Concat(DiskVersions).Distinct().OrderDescending(StringComparer.Ordinal)]),
            new("operations", VmVersions),
        ]),
        new(Storage,
        [
            new("storageAccounts", StorageVersions),
            new("locations", StorageVersions),
            new("operations", StorageVersions),
        ]),
    ];

    public static ProviderNamespace? Find(string @namespace) =>
        Providers.FirstOrDefault(p => string.Equals(p.Namespace, @namespace, StringComparison.OrdinalIgnoreCase));

    public static ProviderResourceType? FindType(string @namespace, string typePath) =>
        Find(@namespace)?.ResourceTypes.FirstOrDefault(t => string.Equals(t.ResourceType, typePath, StringComparison.OrdinalIgnoreCase));
}

internal sealed record ProviderNamespace(string Namespace, IReadOnlyList<ProviderResourceType> ResourceTypes);

internal sealed record ProviderResourceType(string ResourceType, IReadOnlyList<string> ApiVersions)
{
    public bool Supports(string version) => ApiVersions.Contains(version, StringComparer.OrdinalIgnoreCase);
}
