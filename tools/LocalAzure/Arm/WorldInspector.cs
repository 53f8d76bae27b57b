using System.Text.Json;
using System.Text.Json.Nodes;
using LocalAzure.World;

namespace LocalAzure.Arm;

/// <summary>
/// The world as tests and benchmarks check it: labs with VMs and images, disks with their access state, pending
/// operations, blob copies and the blobs of every lab account.
/// </summary>
internal sealed class WorldInspector(ArmContext context)
{
    public async Task<JsonObject> SnapshotAsync(CancellationToken cancellationToken)
    {
        var (result, accounts) = context.Locked(() =>
        {
            var world = context.World;
            var snapshot = new JsonObject
            {
                ["modelledTime"] = ArmContext.Time(context.Clock.UtcNow),
                ["labs"] = new JsonArray([.. world.Labs.Values.OrderBy(l => l.Id, StringComparer.OrdinalIgnoreCase).Select(Lab)]),
                ["disks"] = new JsonArray([.. world.Disks.Values.OrderBy(d => d.Id, StringComparer.OrdinalIgnoreCase).Select(d => (JsonNode)new JsonObject
                {
                    ["id"] = d.Id,
                    ["managedBy"] = d.ManagedBy,
                    ["diskState"] = Handlers.ComputeHandlers.DiskState(world, d),
                    ["activeSas"] = d.ActiveSas,
                    ["sizeGB"] = d.SizeGB,
                })]),
                ["operations"] = new JsonArray([.. context.Operations.All.Select(o => (JsonNode)new JsonObject
                {
                    ["id"] = o.Id,
                    ["operation"] = o.Operation,
                    ["resourceId"] = o.ResourceId,
                    ["status"] = o.Status.ToString(),
                    ["startTime"] = ArmContext.Time(o.StartTime),
                    ["endTime"] = o.EndTime is { } end ? ArmContext.Time(end) : null,
                    ["error"] = o.ErrorCode,
                })]),
                ["limits"] = new JsonObject
                {
                    ["readsPerHour"] = context.Throttle.ReadsPerHour,
                    ["writesPerHour"] = context.Throttle.WritesPerHour,
                    ["pageSize"] = context.PageSize,
                },
            };
            List<(string Lab, string Account)> labAccounts = [.. world.Labs.Values.Select(l => (l.Id, l.StorageAccountName))];
            return (snapshot, labAccounts);
        });

        result["copies"] = JsonSerializer.SerializeToNode(context.Blobs.GetCopiesForInspection(), WorldFile.SerializerOptions);
        var blobs = new JsonArray();
        foreach (var (lab, account) in accounts)
        {
            foreach (var blob in await context.Blobs.ListBlobsAsync(account, null, cancellationToken).ConfigureAwait(false))
            {
                blobs.Add(new JsonObject
                {
                    ["lab"] = lab,
                    ["account"] = blob.Account,
                    ["container"] = blob.Container,
                    ["name"] = blob.Name,
                    ["pageBlob"] = blob.IsPageBlob,
                    ["modelledLength"] = blob.ModelledLength,
                    ["copyStatus"] = blob.CopyStatus,
                });
            }
        }

        result["blobs"] = blobs;
        return result;
    }

    private static JsonNode Lab(Lab lab) => new JsonObject
    {
        ["id"] = lab.Id,
        ["name"] = lab.Name,
        ["subscriptionId"] = lab.SubscriptionId,
        ["resourceGroup"] = lab.ResourceGroup,
        ["location"] = lab.Location,
        ["storageAccount"] = lab.StorageAccountName,
        ["virtualMachines"] = new JsonArray([.. lab.Vms.Values.OrderBy(v => v.Name, StringComparer.OrdinalIgnoreCase).Select(v => (JsonNode)new JsonObject
        {
            ["name"] = v.Name,
            ["computeId"] = v.ComputeId,
            ["provisioningState"] = v.Deleting ? "Deleting" : v.ProvisioningState,
            ["tags"] = Tags(v.Tags),
        })]),
        ["customImages"] = new JsonArray([.. lab.Images.Values.OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase).Select(i => (JsonNode)new JsonObject
        {
            ["name"] = i.Name,
            ["provisioningState"] = i.ProvisioningState,
            ["osType"] = i.OsType.ToString(),
            ["vhd"] = i.VhdImageName,
            ["sourceVmId"] = i.SourceVmId,
            ["tags"] = Tags(i.Tags),
        })]),
    };

    private static JsonObject Tags(Dictionary<string, string> tags) =>
        new([.. tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)JsonValue.Create(t.Value)))]);
}
