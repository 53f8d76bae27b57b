using ImageFactory.Engine.Azure;

namespace ImageFactory.Engine.Tests.Fakes;

/// <summary>An in-memory DevTest Labs: labs, their VMs and custom images.</summary>
internal sealed class FakeLabGateway : ILabGateway
{
    private readonly object gate = new();

    public List<LabInfo> Labs { get; } = [];

    public Dictionary<string, List<LabVmInfo>> VirtualMachines { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<CustomImageInfo>> CustomImages { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Calls { get; } = [];

    public static LabInfo Lab(string name, string resourceGroup, string subscriptionId = "sub-1") => new(
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.DevTestLab/labs/{name}",
        subscriptionId,
        resourceGroup,
        name,
        "westeurope",
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Storage/storageAccounts/a{name.ToLowerInvariant()}",
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Storage/storageAccounts/d{name.ToLowerInvariant()}");

    public FakeLabGateway AddLab(LabInfo lab)
    {
        Labs.Add(lab);
        return this;
    }

    public FakeLabGateway AddVm(LabInfo lab, LabVmInfo vm)
    {
        ArgumentNullException.ThrowIfNull(lab);
        if (!VirtualMachines.TryGetValue(lab.Id, out var machines))
        {
            machines = [];
            VirtualMachines[lab.Id] = machines;
        }

        machines.Add(vm);
        return this;
    }

    public Task<IReadOnlyList<LabInfo>> ListLabsAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        Record($"ListLabs {subscriptionId}");
        IReadOnlyList<LabInfo> labs = Labs.Where(lab => string.Equals(lab.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase)).ToList();
        return Task.FromResult(labs);
    }

    public Task<LabInfo?> GetLabAsync(string subscriptionId, string resourceGroup, string labName, CancellationToken cancellationToken)
    {
        Record($"GetLab {subscriptionId}/{resourceGroup}/{labName}");
        return Task.FromResult(Labs.FirstOrDefault(lab =>
            string.Equals(lab.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase)
            && string.Equals(lab.ResourceGroup, resourceGroup, StringComparison.OrdinalIgnoreCase)
            && string.Equals(lab.Name, labName, StringComparison.OrdinalIgnoreCase)));
    }

    public Task<IReadOnlyList<LabVmInfo>> ListVirtualMachinesAsync(LabInfo lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        Record($"ListVms {lab.Name}");
        IReadOnlyList<LabVmInfo> machines = VirtualMachines.TryGetValue(lab.Id, out var list) ? [.. list] : [];
        return Task.FromResult(machines);
    }

    public Task<IReadOnlyList<CustomImageInfo>> ListCustomImagesAsync(LabInfo lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        Record($"ListImages {lab.Name}");
        lock (gate)
        {
            IReadOnlyList<CustomImageInfo> images = CustomImages.TryGetValue(lab.Id, out var list) ? [.. list] : [];
            return Task.FromResult(images);
        }
    }

    public Task<CustomImageInfo> CreateCustomImageFromVhdAsync(LabInfo lab, CustomImageFromVhdRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(request);
        Record($"CreateImage {lab.Name}/{request.Name}");
        var image = new CustomImageInfo(
            $"{lab.Id}/customimages/{request.Name}", request.Name, request.Tags, request.OsType,
            request.VhdUri.GetLeftPart(UriPartial.Path), request.SysPrep, request.Description, DateTimeOffset.UnixEpoch, "Succeeded");
        lock (gate)
        {
            if (!CustomImages.TryGetValue(lab.Id, out var list))
            {
                list = [];
                CustomImages[lab.Id] = list;
            }

            list.Add(image);
        }

        return Task.FromResult(image);
    }

    public Task<bool> DeleteCustomImageAsync(string customImageId, CancellationToken cancellationToken)
    {
        Record($"DeleteImage {customImageId}");
        lock (gate)
        {
            foreach (var list in CustomImages.Values)
            {
                if (list.RemoveAll(image => string.Equals(image.Id, customImageId, StringComparison.OrdinalIgnoreCase)) > 0)
                {
                    return Task.FromResult(true);
                }
            }
        }

        return Task.FromResult(false);
    }

    public Task<bool> DeleteVirtualMachineAsync(string virtualMachineId, CancellationToken cancellationToken)
    {
        Record($"DeleteVm {virtualMachineId}");
        foreach (var list in VirtualMachines.Values)
        {
            if (list.RemoveAll(vm => string.Equals(vm.Id, virtualMachineId, StringComparison.OrdinalIgnoreCase)) > 0)
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    private void Record(string call)
    {
        lock (gate)
        {
            Calls.Add(call);
        }
    }
}
