using System.Globalization;
using System.Text.Json.Nodes;

namespace ImageFactory.Engine.Azure;

/// <summary>
/// DevTest Labs over raw REST (2018-09-15). Paths follow the REST specification exactly. A session lives for one
/// command, so the labs of a subscription are listed once per session and shared by every look-up (finding the
/// factory lab by name and planning both need them).
/// </summary>
internal sealed class ArmLabGateway(ArmRestClient rest) : ILabGateway
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<LabInfo>>>> labsBySubscription =
        new(StringComparer.OrdinalIgnoreCase);

    private static readonly KeyValuePair<string, string>[] ExpandComputeVm =
        [new("$expand", "properties($expand=computeVm)")];

    public async Task<IReadOnlyList<LabInfo>> ListLabsAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var listing = labsBySubscription.GetOrAdd(
            subscriptionId, id => new Lazy<Task<IReadOnlyList<LabInfo>>>(() => ListLabsUncachedAsync(id, cancellationToken)));
        try
        {
            return await listing.Value.ConfigureAwait(false);
        }
        catch
        {
            // A failed listing is not remembered: the next caller asks again.
            labsBySubscription.TryRemove(new KeyValuePair<string, Lazy<Task<IReadOnlyList<LabInfo>>>>(subscriptionId, listing));
            throw;
        }
    }

    private async Task<IReadOnlyList<LabInfo>> ListLabsUncachedAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var labs = new List<LabInfo>();
        await foreach (var item in rest.ListAsync(
            $"/subscriptions/{subscriptionId}/providers/Microsoft.DevTestLab/labs", ApiVersions.DevTestLabs, cancellationToken).ConfigureAwait(false))
        {
            labs.Add(ToLab(item));
        }

        return labs;
    }

    public async Task<LabInfo?> GetLabAsync(string subscriptionId, string resourceGroup, string labName, CancellationToken cancellationToken)
    {
        var lab = await rest.GetOrNullAsync(
            $"/subscriptions/{subscriptionId}/resourceGroups/{Uri.EscapeDataString(resourceGroup)}/providers/Microsoft.DevTestLab/labs/{Uri.EscapeDataString(labName)}",
            ApiVersions.DevTestLabs,
            cancellationToken).ConfigureAwait(false);
        return lab is JsonObject item ? ToLab(item) : null;
    }

    public async Task<IReadOnlyList<LabVmInfo>> ListVirtualMachinesAsync(LabInfo lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var machines = new List<LabVmInfo>();
        await foreach (var item in rest.ListAsync(
            lab.Id + "/virtualmachines", ApiVersions.DevTestLabs, cancellationToken, ExpandComputeVm).ConfigureAwait(false))
        {
            machines.Add(ToVm(item));
        }

        return machines;
    }

    public async Task<IReadOnlyList<CustomImageInfo>> ListCustomImagesAsync(LabInfo lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var images = new List<CustomImageInfo>();
        await foreach (var item in rest.ListAsync(lab.Id + "/customimages", ApiVersions.DevTestLabs, cancellationToken).ConfigureAwait(false))
        {
            images.Add(ToImage(item));
        }

        return images;
    }

    public async Task<CustomImageInfo> CreateCustomImageFromVhdAsync(
        LabInfo lab, CustomImageFromVhdRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(request);
        var tags = new JsonObject();
        foreach (var (name, value) in request.Tags)
        {
            tags[name] = value;
        }

        var body = new JsonObject
        {
            ["location"] = lab.Location,
            ["tags"] = tags,
            ["properties"] = new JsonObject
            {
                ["vhd"] = new JsonObject
                {
                    ["imageName"] = request.VhdUri.GetLeftPart(UriPartial.Path),
                    ["sysPrep"] = request.SysPrep,
                    ["osType"] = request.OsType,
                },
                ["description"] = request.Description,
            },
        };
        var created = await rest.PutAndWaitAsync(
            $"{lab.Id}/customimages/{Uri.EscapeDataString(request.Name)}", ApiVersions.DevTestLabs, body, cancellationToken).ConfigureAwait(false);
        return ToImage(created as JsonObject ?? throw new AzureRequestException(
            0, "EmptyResponse", $"Creating custom image '{request.Name}' in lab '{lab.Name}' returned no resource.", "PUT", lab.Id));
    }

    public Task<bool> DeleteCustomImageAsync(string customImageId, CancellationToken cancellationToken) =>
        rest.DeleteAndWaitAsync(customImageId, ApiVersions.DevTestLabs, cancellationToken);

    public Task<bool> DeleteVirtualMachineAsync(string virtualMachineId, CancellationToken cancellationToken) =>
        rest.DeleteAndWaitAsync(virtualMachineId, ApiVersions.DevTestLabs, cancellationToken);

    internal static LabInfo ToLab(JsonObject item)
    {
        var id = Text(item, "id") ?? string.Empty;
        var properties = item["properties"] as JsonObject;
        return new LabInfo(
            id,
            Segment(id, "subscriptions") ?? string.Empty,
            Segment(id, "resourceGroups") ?? string.Empty,
            Text(item, "name") ?? string.Empty,
            Text(item, "location") ?? string.Empty,
            Text(properties, "artifactsStorageAccount"),
            Text(properties, "defaultStorageAccount"));
    }

    internal static LabVmInfo ToVm(JsonObject item)
    {
        var properties = item["properties"] as JsonObject;
        var computeVm = properties?["computeVm"] as JsonObject;
        string? powerState = null;
        if (computeVm?["statuses"] is JsonArray statuses)
        {
            foreach (var status in statuses)
            {
                var code = Text(status as JsonObject, "code");
                if (code is not null && code.StartsWith("PowerState/", StringComparison.OrdinalIgnoreCase))
                {
                    powerState = code["PowerState/".Length..];
                }
            }
        }

        return new LabVmInfo(
            Text(item, "id") ?? string.Empty,
            Text(item, "name") ?? string.Empty,
            Tags(item),
            Text(properties, "notes"),
            Text(properties, "osType") ?? Text(computeVm, "osType"),
            Text(properties, "provisioningState"),
            Date(properties, "createdDate"),
            Text(properties, "computeId"),
            powerState,
            Text(computeVm, "osDiskId"));
    }

    internal static CustomImageInfo ToImage(JsonObject item)
    {
        var properties = item["properties"] as JsonObject;
        var vhd = properties?["vhd"] as JsonObject;
        bool? sysPrep = vhd?["sysPrep"] is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;
        return new CustomImageInfo(
            Text(item, "id") ?? string.Empty,
            Text(item, "name") ?? string.Empty,
            Tags(item),
            Text(vhd, "osType"),
            Text(vhd, "imageName"),
            sysPrep,
            Text(properties, "description"),
            Date(properties, "creationDate"),
            Text(properties, "provisioningState"));
    }

    private static string? Text(JsonObject? item, string name) =>
        item?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static DateTimeOffset? Date(JsonObject? item, string name) =>
        Text(item, name) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;

    private static Dictionary<string, string> Tags(JsonObject item)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (item["tags"] is JsonObject values)
        {
            foreach (var (name, value) in values)
            {
                if (value is JsonValue text && text.TryGetValue<string>(out var tag))
                {
                    tags[name] = tag;
                }
            }
        }

        return tags;
    }

    /// <summary>The segment after <paramref name="name"/> in a resource id (case-insensitive, as ARM ids are).</summary>
    internal static string? Segment(string id, string name)
    {
        var parts = id.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (string.Equals(parts[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return parts[i + 1];
            }
        }

        return null;
    }
}
