using System.Text.Json;
using System.Text.Json.Serialization;
using LocalAzure.Common;

namespace LocalAzure.World;

/// <summary>
/// The declarative world file (JSON, camelCase, comments and trailing commas allowed). Describes what exists when
/// the local Azure starts; docs/local-azure.md documents every field.
/// </summary>
public sealed class WorldFile
{
    /// <summary>Optional reference to the schema (e.g. "./world.schema.json"), for editors; ignored.</summary>
    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Real milliseconds per modelled minute (60000 = real time). Default 50.</summary>
    public double RealMillisecondsPerModelledMinute { get; init; } = 50;

    public ArmSettings Arm { get; init; } = new();

    public DurationSettings Durations { get; init; } = new();

    public BlobSettings Blob { get; init; } = new();

    public IReadOnlyList<SubscriptionSeed> Subscriptions { get; init; } = [];

    public IReadOnlyList<PrincipalSeed> Principals { get; init; } = [];

    public IReadOnlyList<ResourceGroupSeed> ResourceGroups { get; init; } = [];

    public IReadOnlyList<LabSeed> Labs { get; init; } = [];

    public IReadOnlyList<FaultRuleSeed> Faults { get; init; } = [];

    public static JsonSerializerOptions SerializerOptions { get; } = CreateOptions();

    /// <summary>The world file's JSON Schema, generated from these types (samples/worlds/world.schema.json).</summary>
    public static string JsonSchema()
    {
        var schema = System.Text.Json.Schema.JsonSchemaExporter.GetJsonSchemaAsNode(
            SerializerOptions, typeof(WorldFile), new System.Text.Json.Schema.JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true }).AsObject();
        schema.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.Insert(1, "title", "LocalAzure world file (docs/local-azure.md)");
        return schema.ToJsonString(SerializerOptions).ReplaceLineEndings("\n") + "\n";
    }

    public static WorldFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Parse(stream, path);
    }

    public static WorldFile Parse(Stream json, string source = "world file")
    {
        try
        {
            var world = JsonSerializer.Deserialize<WorldFile>(json, SerializerOptions)
                ?? throw new InvalidDataException($"{source}: empty world file.");
            WorldValidator.Validate(world, source);
            return world;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    public static WorldFile Parse(string json, string source = "world file")
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return Parse(stream, source);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            WriteIndented = true,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
            NumberHandling = JsonNumberHandling.Strict,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }
}

public sealed class ArmSettings
{
    /// <summary>Modelled reads per hour per (subscription, principal). ARM: 12,000.</summary>
    public int ReadsPerHour { get; init; } = 12_000;

    /// <summary>Modelled writes per hour per (subscription, principal). ARM: 1,200.</summary>
    public int WritesPerHour { get; init; } = 1_200;

    /// <summary>Items per page of every list (labs, VMs, images, resources...) before a nextLink.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Fixed ARM port (0 = dynamic).</summary>
    public int Port { get; init; }
}

/// <summary>Modelled durations of long-running operations ("hh:mm:ss").</summary>
public sealed class DurationSettings
{
    public TimeSpan CustomImageFromVhd { get; init; } = TimeSpan.FromMinutes(8);

    public TimeSpan CustomImageFromVm { get; init; } = TimeSpan.FromMinutes(12);

    public TimeSpan CustomImageDelete { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan VmStart { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan VmStop { get; init; } = TimeSpan.FromMinutes(3);

    public TimeSpan VmDelete { get; init; } = TimeSpan.FromMinutes(4);

    public TimeSpan DiskGrantAccess { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan DiskRevokeAccess { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The polling interval suggested in retry hints of long-running operations.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);
}

public sealed class BlobSettings
{
    public double PageBlobReadMiBPerSecond { get; init; } = 60;

    public double? AccountEgressMiBPerSecond { get; init; }

    /// <summary>Fixed blob front port (0 = dynamic).</summary>
    public int Port { get; init; }
}

public sealed class SubscriptionSeed
{
    public required string Id { get; init; }

    public string? DisplayName { get; init; }

    public required string TenantId { get; init; }
}

public enum RoleName
{
    Reader,
    Contributor,
    Owner,
}

public sealed class RoleAssignmentSeed
{
    /// <summary>"/subscriptions/{id}" or "/subscriptions/{id}/resourceGroups/{name}".</summary>
    public required string Scope { get; init; }

    public RoleName Role { get; init; } = RoleName.Contributor;
}

public sealed class PrincipalSeed
{
    public required string TenantId { get; init; }

    public required string ClientId { get; init; }

    public required string ClientSecret { get; init; }

    public string? ObjectId { get; init; }

    public string? DisplayName { get; init; }

    public IReadOnlyList<RoleAssignmentSeed> RoleAssignments { get; init; } = [];
}

public sealed class ResourceGroupSeed
{
    public required string SubscriptionId { get; init; }

    public required string Name { get; init; }

    public string Location { get; init; } = "westeurope";

    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

public sealed class LabSeed
{
    public required string SubscriptionId { get; init; }

    public required string ResourceGroup { get; init; }

    public required string Name { get; init; }

    /// <summary>Defaults to the resource group's location.</summary>
    public string? Location { get; init; }

    /// <summary>The lab's own storage account (artifacts/default); generated ("a" + lab name + digits) if omitted.</summary>
    public string? StorageAccountName { get; init; }

    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    public DateTimeOffset? CreatedDate { get; init; }

    public IReadOnlyList<LabVmSeed> VirtualMachines { get; init; } = [];

    public IReadOnlyList<CustomImageSeed> CustomImages { get; init; } = [];

    public IReadOnlyList<VhdSeed> Vhds { get; init; } = [];
}

public enum OsType
{
    Windows,
    Linux,
}

public enum PowerState
{
    Running,
    Stopped,
    Deallocated,
}

public sealed class GalleryImageSeed
{
    public string Publisher { get; init; } = "MicrosoftWindowsServer";

    public string Offer { get; init; } = "WindowsServer";

    public string Sku { get; init; } = "2016-Datacenter";

    public string Version { get; init; } = "latest";
}

public sealed class DiskSeed
{
    /// <summary>Modelled size in GiB (what ARM reports and copy times are computed from). Default 127.</summary>
    public int SizeGB { get; init; } = 127;

    /// <summary>Real bytes stored in Azurite, in MiB (multiple of 512 bytes). Default 4.</summary>
    public double RealSizeMiB { get; init; } = 4;
}

public sealed class LabVmSeed
{
    public required string Name { get; init; }

    public OsType OsType { get; init; } = OsType.Windows;

    public string Size { get; init; } = "Standard_DS2_v2";

    public string? Notes { get; init; }

    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    public PowerState PowerState { get; init; } = PowerState.Running;

    public string ProvisioningState { get; init; } = "Succeeded";

    public DateTimeOffset? CreatedDate { get; init; }

    public string UserName { get; init; } = "labadmin";

    public GalleryImageSeed? GalleryImageReference { get; init; }

    public DiskSeed OsDisk { get; init; } = new();
}

public sealed class CustomImageVhdSeed
{
    /// <summary>The VHD's blob URI; "{lab-storage}/container/name.vhd" shorthand allowed (see docs).</summary>
    public string? ImageName { get; init; }

    public bool SysPrep { get; init; }
}

public sealed class CustomImageSeed
{
    public required string Name { get; init; }

    public OsType OsType { get; init; } = OsType.Windows;

    public string? Description { get; init; }

    public string Author { get; init; } = "ImageFactory";

    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    public DateTimeOffset? CreationDate { get; init; }

    public CustomImageVhdSeed? Vhd { get; init; }

    /// <summary>Name of a VM in the same lab the image was captured from (alternative to vhd).</summary>
    public string? SourceVm { get; init; }
}

public sealed class VhdSeed
{
    public string Container { get; init; } = "imagefactoryvhds";

    public required string Name { get; init; }

    public int SizeGB { get; init; } = 127;

    public double RealSizeMiB { get; init; } = 4;

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>An optional JSON record stored next to the VHD as a block blob "{name without .vhd}.json".</summary>
    public JsonElement? Record { get; init; }

    /// <summary>Name of the record blob; default "{name without .vhd}.json".</summary>
    public string? RecordName { get; init; }
}

public sealed class FaultRuleSeed
{
    public required string Operation { get; init; }

    public string ResourcePattern { get; init; } = ".*";

    public FaultKind Kind { get; init; }

    public int? NthCall { get; init; }

    public double? Probability { get; init; }

    /// <summary>Modelled delay of a SlowResponse.</summary>
    public TimeSpan? Delay { get; init; }

    public FaultRule ToRule() => new(Operation, ResourcePattern, Kind, NthCall, Probability, Delay);
}
