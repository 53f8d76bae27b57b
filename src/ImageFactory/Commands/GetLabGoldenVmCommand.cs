using System.Management.Automation;
using ImageFactory.Engine.Vhds;
using ImageFactory.Internal;

namespace ImageFactory.Commands;

/// <summary>
/// Lists the factory lab's golden VMs (lab VMs tagged ImagePath) with their power and provisioning state and whether
/// each can be saved now. One list request for the whole lab, compute state included.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LabGoldenVm")]
[OutputType("ImageFactory.Engine.Vhds.GoldenVm")]
public sealed class GetLabGoldenVmCommand : AzureCmdlet
{
    /// <summary>Only VMs with these names (wildcards allowed).</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var azure = GetSession();
        var lab = FindLab(azure);
        var machines = RunTerminating(token => GoldenVmService.ListAsync(azure.Labs, lab, token), lab.Id);
        var patterns = Name?.Select(name => WildcardPattern.Get(name, WildcardOptions.IgnoreCase)).ToList();
        foreach (var vm in machines)
        {
            if (patterns is null || patterns.Any(pattern => pattern.IsMatch(vm.Name)))
            {
                WriteObject(vm);
            }
        }
    }
}
