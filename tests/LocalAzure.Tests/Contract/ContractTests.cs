using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Core;

namespace LocalAzure.Tests.Contract;

/// <summary>
/// Replays the official examples (Contract/azure-specs) against the local Azure: the example's request (path mapped
/// onto seeded resources, its body, its api-version and $-parameters) must get one of the example's status codes,
/// the example's LRO headers, and a body with every property of the example's body with the same JSON type
/// (recursively; arrays compared by their first elements when both have one; "tags" as free-form maps).
/// Adding an operation is adding one line to <see cref="Cases"/>.
/// </summary>
[Collection(LocalAzureTestGroup.Name)]
public sealed partial class ContractTests(LocalAzureFixture fixture)
{
    private const string Dtl = "devtestlabs/resource-manager/Microsoft.DevTestLab/stable/2018-09-15/examples/";
    private const string Disk = "compute/resource-manager/Microsoft.Compute/DiskRP/stable/2025-01-02/examples/diskExamples/";
    private const string Vm = "compute/resource-manager/Microsoft.Compute/ComputeRP/stable/";
    private const string Storage = "storage/resource-manager/Microsoft.Storage/stable/2025-08-01/examples/";
    private const string LabPath = "/subscriptions/{S1}/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs/FactoryLab";

    /// <summary>Example, method, path ({S1}, {computeVm:name}, {disk:vm}, {account} are resolved from the world), ignored properties with the reason.</summary>
    private static readonly ContractCase[] All =
    [
        new(Dtl + "Labs_Get.json", "GET", LabPath),
        new(Dtl + "Labs_ListBySubscription.json", "GET", "/subscriptions/{S1}/providers/Microsoft.DevTestLab/labs"),
        new(Dtl + "Labs_ListByResourceGroup.json", "GET", "/subscriptions/{S1}/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs"),
        new(Dtl + "Labs_ListVhds.json", "POST", LabPath + "/listVhds"),
        new(Dtl + "Labs_GenerateUploadUri.json", "POST", LabPath + "/generateUploadUri"),
        new(Dtl + "VirtualMachines_Get.json", "GET", LabPath + "/virtualmachines/win2016-golden"),
        new(Dtl + "VirtualMachines_List.json", "GET", LabPath + "/virtualmachines"),
        new(Dtl + "VirtualMachines_Update.json", "PATCH", LabPath + "/virtualmachines/contract-vm"),
        new(Dtl + "VirtualMachines_Start.json", "POST", LabPath + "/virtualmachines/contract-vm/start"),
        new(Dtl + "VirtualMachines_Stop.json", "POST", LabPath + "/virtualmachines/contract-stop-vm/stop"),
        new(Dtl + "VirtualMachines_Delete.json", "DELETE", LabPath + "/virtualmachines/contract-delete-vm"),
        new(Dtl + "CustomImages_CreateOrUpdate.json", "PUT", LabPath + "/customimages/contract-image"),
        new(Dtl + "CustomImages_Get.json", "GET", LabPath + "/customimages/linux-image"),
        // TeamLab holds only an image captured from a VM, like the example's (FactoryLab also has images from VHDs).
        new(Dtl + "CustomImages_List.json", "GET", "/subscriptions/{S2}/resourceGroups/rg-team/providers/Microsoft.DevTestLab/labs/TeamLab/customimages"),
        new(Dtl + "CustomImages_Update.json", "PATCH", LabPath + "/customimages/linux-image"),
        new(Dtl + "CustomImages_Delete.json", "DELETE", LabPath + "/customimages/contract-delete-image"),
        new(Disk + "Disk_Get.json", "GET", "{disk:contract-disk-vm}",
            ["properties.purchasePlan: only for marketplace images with a plan",
             "properties.securityProfile: only for Trusted Launch / confidential disks",
             "properties.encryptionSettingsCollection: only with Azure Disk Encryption"]),
        new(Disk + "Disk_BeginGetAccess.json", "POST", "{disk:contract-disk-vm}/beginGetAccess"),
        new(Disk + "Disk_EndGetAccess.json", "POST", "{disk:contract-disk-vm}/endGetAccess"),
        new(Vm + "2025-11-01/examples/virtualMachineExamples/VirtualMachine_Get.json", "GET", "{computeVm:win2016-running}",
            ["properties.availabilitySet: DevTest Labs VMs are not in an availability set",
             "properties.proximityPlacementGroup: not in a proximity placement group",
             "properties.applicationProfile: no VM gallery applications",
             "resources: no VM extensions installed",
             "managedBy: only for VMs of a scale set"]),
        new(Vm + "2025-04-01/examples/virtualMachineExamples/VirtualMachine_Get_InstanceView.json", "GET", "{computeVm:win2016-running}/instanceView",
            ["patchStatus: patch assessment is not modelled"]),
        new(Vm + "2025-11-01/examples/virtualMachineExamples/VirtualMachine_Get_InstanceViewAutoPlacedOnDedicatedHostGroup.json", "GET", "{computeVm:win2016-running}/instanceView",
            ["assignedHost: only for VMs on dedicated hosts"]),
        new(Storage + "StorageAccountGetProperties.json", "GET", "{account}",
            ["properties.geoReplicationStats: only with $expand=geoReplicationStats",
             "properties.primaryEndpoints.internetEndpoints: only with a routing preference",
             "properties.primaryEndpoints.microsoftEndpoints: only with a routing preference",
             "properties.routingPreference: only with a routing preference",
             "properties.secondaryLocation: only for geo-redundant accounts (lab accounts are LRS)",
             "properties.statusOfSecondary: only for geo-redundant accounts",
             "properties.geoPriorityReplicationStatus: only with geo priority replication"]),
        new(Storage + "StorageAccountListKeys.json", "POST", "{account}/listKeys"),
    ];

    /// <summary>Example placeholders in request bodies mapped onto the seeded world.</summary>
    private static readonly Dictionary<string, string> BodyValues = new(StringComparer.Ordinal)
    {
        ["subscriptionId"] = LocalAzureFixture.FactorySubscription,
        ["resourceGroupName"] = "rg-factory",
        ["labName"] = "FactoryLab",
        ["vmName"] = "linux-golden",
        ["blob-name"] = "contract-upload.vhd",
    };

    private static readonly HashSet<string> PathParameters = new(StringComparer.Ordinal)
    {
        "subscriptionId", "resourceGroupName", "labName", "name", "diskName", "vmName", "accountName", "api-version", "monitor",
    };

    private static readonly string[] Names = [.. All.Select(c => Path.GetFileNameWithoutExtension(c.Example) + " " + c.Method)];

    public static TheoryData<string> Cases { get; } = [.. Names];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Response_has_the_shape_of_the_official_example(string name)
    {
        var contract = All[Array.IndexOf(Names, name)];
        var example = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(LocalAzureFixture.RepositoryRoot, "tests", "LocalAzure.Tests", "Contract", "azure-specs", contract.Example)))!;
        var parameters = example["parameters"]!.AsObject();

        var query = new List<string> { "api-version=" + parameters["api-version"]!.GetValue<string>() };
        JsonNode? body = null;
        foreach (var (key, value) in parameters)
        {
            if (key.StartsWith('$'))
            {
                query.Add(key + "=" + Uri.EscapeDataString(value!.GetValue<string>()));
            }
            else if (!PathParameters.Contains(key) && value is JsonObject)
            {
                body = Substitute(value.DeepClone());
            }
        }

        var path = Resolve(contract.Path) + "?" + string.Join('&', query);
        var response = await fixture.SendAsync(fixture.Pipeline(), new RequestMethod(contract.Method), path, body);

        var responses = example["responses"]!.AsObject();
        var status = response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(responses.ContainsKey(status), $"{name}: status {status} is not one of the example's ({string.Join(", ", responses.Select(r => r.Key))}). Body: {response.Content}");
        var expected = responses[status];
        if (expected?["headers"] is JsonObject headers)
        {
            foreach (var (header, _) in headers)
            {
                Assert.True(response.Headers.TryGetValue(header, out _), $"{name}: header {header} missing");
            }
        }

        if (expected?["body"] is JsonObject expectedBody)
        {
            var actual = JsonNode.Parse(response.Content.ToString());
            var problems = new List<string>();
            CompareShape(expectedBody, actual, string.Empty, contract.Ignored.Select(i => i.Split(':')[0]).ToHashSet(StringComparer.Ordinal), problems);
            Assert.True(problems.Count == 0, $"{name}:\n  " + string.Join("\n  ", problems) + "\nresponse: " + response.Content);
        }
    }

    [Fact]
    public void Every_example_in_the_folder_has_a_case_or_a_reason_to_be_absent()
    {
        // Examples of operations the module does not use (claim, resize, artifacts, formulas...) are not replayed.
        var root = Path.Combine(LocalAzureFixture.RepositoryRoot, "tests", "LocalAzure.Tests", "Contract", "azure-specs");
        var files = Directory.GetFiles(root, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(files.Order(StringComparer.Ordinal), All.Select(c => c.Example).Distinct().Order(StringComparer.Ordinal));
    }

    internal static void CompareShape(JsonNode? expected, JsonNode? actual, string path, IReadOnlySet<string> ignored, List<string> problems)
    {
        if (ignored.Contains(path) || expected is null)
        {
            return;
        }

        var expectedKind = expected.GetValueKind();
        var actualKind = actual?.GetValueKind() ?? JsonValueKind.Null;
        if (Normalise(expectedKind) != Normalise(actualKind))
        {
            problems.Add($"{(path.Length == 0 ? "(root)" : path)}: expected {expectedKind}, got {actualKind}");
            return;
        }

        if (expected is JsonObject expectedObject && actual is JsonObject actualObject && path.Split('.')[^1] != "tags")
        {
            foreach (var (name, value) in expectedObject)
            {
                var child = path.Length == 0 ? name : path + "." + name;
                if (ignored.Contains(child))
                {
                    continue;
                }

                if (!actualObject.TryGetPropertyValue(name, out var actualValue))
                {
                    problems.Add($"{child}: missing");
                    continue;
                }

                CompareShape(value, actualValue, child, ignored, problems);
            }
        }
        else if (expected is JsonArray expectedArray && actual is JsonArray actualArray && expectedArray.Count > 0 && actualArray.Count > 0)
        {
            CompareShape(expectedArray[0], actualArray[0], path + "[]", ignored, problems);
        }
    }

    private static JsonValueKind Normalise(JsonValueKind kind) => kind == JsonValueKind.False ? JsonValueKind.True : kind;

    private static JsonNode? Substitute(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    o[key] = Substitute(value?.DeepClone());
                }

                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    a[i] = Substitute(a[i]?.DeepClone());
                }

                return a;
            case JsonValue v when v.TryGetValue<string>(out var s):
                return JsonValue.Create(Placeholder().Replace(s, m => BodyValues.TryGetValue(m.Groups[1].Value, out var r) ? r : m.Value));
            default:
                return node;
        }
    }

    private string Resolve(string path)
    {
        var world = fixture.Host.Context.World;
        lock (world.Sync)
        {
            var lab = world.Labs.Values.Single(l => l.Name == "FactoryLab");
            return Placeholder().Replace(path, m =>
            {
                var token = m.Groups[1].Value;
                var parts = token.Split(':');
                return parts[0] switch
                {
                    "S1" => LocalAzureFixture.FactorySubscription,
                    "S2" => LocalAzureFixture.TargetSubscription,
                    "account" => lab.StorageAccountId,
                    "computeVm" => lab.Vms[parts[1]].ComputeId,
                    "disk" => world.ComputeVms[lab.Vms[parts[1]].ComputeId].OsDiskId,
                    _ => throw new InvalidOperationException("Unknown token " + token),
                };
            });
        }
    }

    [GeneratedRegex("\\{([^{}]+)\\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    private sealed record ContractCase(string Example, string Method, string Path, string[]? IgnoredWithReasons = null)
    {
        public IEnumerable<string> Ignored => IgnoredWithReasons ?? [];
    }
}
