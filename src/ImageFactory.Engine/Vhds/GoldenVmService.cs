using ImageFactory.Engine.Azure;

namespace ImageFactory.Engine.Vhds;

/// <summary>The factory lab's golden VMs: lab VMs tagged <c>ImagePath</c>, with whether each can be saved now.</summary>
public static class GoldenVmService
{
    public const string ImagePathTag = "ImagePath";

    public static async Task<IReadOnlyList<GoldenVm>> ListAsync(ILabGateway labs, LabInfo lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labs);
        ArgumentNullException.ThrowIfNull(lab);
        var machines = await labs.ListVirtualMachinesAsync(lab, cancellationToken).ConfigureAwait(false);
        return machines
            .Where(vm => ImagePathOf(vm) is not null)
            .Select(vm => ToGoldenVm(lab, vm))
            .OrderBy(vm => vm.ImagePath, StringComparer.OrdinalIgnoreCase)
            .ThenBy(vm => vm.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    internal static GoldenVm ToGoldenVm(LabInfo lab, LabVmInfo vm)
    {
        var reason = NotReadyReason(vm);
        return new GoldenVm
        {
            Name = vm.Name,
            LabName = lab.Name,
            SubscriptionId = lab.SubscriptionId,
            ResourceGroupName = lab.ResourceGroup,
            ImagePath = ImagePathOf(vm)?.Replace('\\', '/'),
            OsType = vm.OsType,
            PowerState = vm.PowerState,
            ProvisioningState = vm.ProvisioningState,
            CanSave = reason is null,
            NotReadyReason = reason,
            Description = vm.Notes,
            CreatedDate = vm.CreatedDate,
            Id = vm.Id,
            OsDiskId = vm.OsDiskId,
        };
    }

    /// <summary>The ImagePath tag's value.</summary>
    private static string? ImagePathOf(LabVmInfo vm) => TagValue(vm.Tags, ImagePathTag);

    /// <summary>
    /// A tag's value, or null when absent. Tag names are case-insensitive in Azure, whatever comparer the gateway's
    /// dictionary happens to use.
    /// </summary>
    internal static string? TagValue(IReadOnlyDictionary<string, string> tags, string tag)
    {
        if (tags.TryGetValue(tag, out var exact))
        {
            return exact;
        }

        foreach (var (name, value) in tags)
        {
            if (string.Equals(name, tag, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static string? NotReadyReason(LabVmInfo vm)
    {
        if (!string.Equals(vm.ProvisioningState, "Succeeded", StringComparison.OrdinalIgnoreCase))
        {
            return $"its provisioning state is {vm.ProvisioningState ?? "unknown"}, not Succeeded";
        }

        if (string.IsNullOrWhiteSpace(ImagePathOf(vm)))
        {
            return "its ImagePath tag is empty";
        }

        if (!string.Equals(vm.PowerState, "deallocated", StringComparison.OrdinalIgnoreCase))
        {
            return $"it is {vm.PowerState ?? "in an unknown power state"}, not deallocated: its OS disk is in use (stop the VM first)";
        }

        if (string.IsNullOrEmpty(vm.OsDiskId))
        {
            return "it has no managed OS disk";
        }

        return null;
    }
}
