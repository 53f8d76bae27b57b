using System.Text.RegularExpressions;

namespace LocalAzure.World;

/// <summary>Checks a world file's references and names, with messages that point at the faulty entry.</summary>
internal static partial class WorldValidator
{
    public static void Validate(WorldFile world, string source)
    {
        var errors = new List<string>();
        var subscriptions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in world.Subscriptions)
        {
            if (!Guid.TryParse(s.Id, out _))
            {
                errors.Add($"subscription '{s.Id}': id must be a GUID");
            }

            if (!Guid.TryParse(s.TenantId, out _))
            {
                errors.Add($"subscription '{s.Id}': tenantId must be a GUID");
            }

            if (!subscriptions.Add(s.Id))
            {
                errors.Add($"subscription '{s.Id}' is declared twice");
            }
        }

        var groups = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var g in world.ResourceGroups)
        {
            if (!subscriptions.Contains(g.SubscriptionId))
            {
                errors.Add($"resource group '{g.Name}': unknown subscription '{g.SubscriptionId}'");
            }

            if (!groups.Add(g.SubscriptionId + "/" + g.Name))
            {
                errors.Add($"resource group '{g.Name}' is declared twice in subscription '{g.SubscriptionId}'");
            }
        }

        var clients = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in world.Principals)
        {
            if (!clients.Add(p.TenantId + "/" + p.ClientId))
            {
                errors.Add($"principal '{p.ClientId}' is declared twice in tenant '{p.TenantId}'");
            }

            foreach (var a in p.RoleAssignments)
            {
                if (!ScopePattern().IsMatch(a.Scope))
                {
                    errors.Add($"principal '{p.ClientId}': scope '{a.Scope}' must be /subscriptions/{{id}}[/resourceGroups/{{name}}]");
                }
            }
        }

        var labs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var accounts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var lab in world.Labs)
        {
            var where = $"lab '{lab.Name}'";
            if (!groups.Contains(lab.SubscriptionId + "/" + lab.ResourceGroup))
            {
                errors.Add($"{where}: resource group '{lab.ResourceGroup}' is not declared in subscription '{lab.SubscriptionId}'");
            }

            if (!labs.Add(lab.SubscriptionId + "/" + lab.ResourceGroup + "/" + lab.Name))
            {
                errors.Add($"{where} is declared twice");
            }

            if (lab.StorageAccountName is { } account)
            {
                if (!StorageNamePattern().IsMatch(account))
                {
                    errors.Add($"{where}: storage account name '{account}' must be 3-24 lowercase letters and digits");
                }
                else if (!accounts.Add(account))
                {
                    errors.Add($"{where}: storage account '{account}' is used twice");
                }
            }

            var vms = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var vm in lab.VirtualMachines)
            {
                if (!vms.Add(vm.Name))
                {
                    errors.Add($"{where}: VM '{vm.Name}' is declared twice");
                }

                if (vm.OsDisk.RealSizeMiB <= 0 || vm.OsDisk.RealSizeMiB * 1024 * 1024 % 512 != 0)
                {
                    errors.Add($"{where}: VM '{vm.Name}': osDisk.realSizeMiB must be a positive multiple of 512 bytes");
                }
            }

            var images = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var image in lab.CustomImages)
            {
                if (!images.Add(image.Name))
                {
                    errors.Add($"{where}: custom image '{image.Name}' is declared twice");
                }

                if (image.SourceVm is { } source1 && !vms.Contains(source1))
                {
                    errors.Add($"{where}: custom image '{image.Name}': sourceVm '{source1}' is not a VM of the lab");
                }
            }

            foreach (var vhd in lab.Vhds)
            {
                if (vhd.RealSizeMiB <= 0 || vhd.RealSizeMiB * 1024 * 1024 % 512 != 0)
                {
                    errors.Add($"{where}: VHD '{vhd.Name}': realSizeMiB must be a positive multiple of 512 bytes");
                }
            }
        }

        foreach (var f in world.Faults)
        {
            try
            {
                _ = f.ToRule().MatchesTarget(f.Operation, string.Empty);
            }
            catch (ArgumentException e)
            {
                errors.Add($"fault rule '{f.Operation}': {e.Message}");
            }
        }

        if (world.RealMillisecondsPerModelledMinute <= 0)
        {
            errors.Add("realMillisecondsPerModelledMinute must be positive");
        }

        if (world.Arm.PageSize < 1 || world.Arm.ReadsPerHour < 1 || world.Arm.WritesPerHour < 1)
        {
            errors.Add("arm.pageSize, arm.readsPerHour and arm.writesPerHour must be positive");
        }

        if (errors.Count > 0)
        {
            throw new InvalidDataException($"{source}: invalid world:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
        }
    }

    [GeneratedRegex("^/subscriptions/[0-9a-fA-F-]{36}(/resourceGroups/[^/]+)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ScopePattern();

    [GeneratedRegex("^[a-z0-9]{3,24}$", RegexOptions.CultureInvariant)]
    private static partial Regex StorageNamePattern();
}
