using System.Management.Automation;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Vhds;
using ImageFactory.Internal;

namespace ImageFactory.Commands;

/// <summary>
/// Saves the factory lab's deallocated golden VMs as VHDs in the factory store, at most -MaxConcurrentJobs copies at
/// a time, with a record per VHD that distribution reads. Replaces SnapImagesFromVMs.ps1.
/// </summary>
[Cmdlet(VerbsData.Save, "LabVhd", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType("ImageFactory.Engine.Vhds.VhdSaveResult")]
public sealed class SaveLabVhdCommand : AzureCmdlet
{
    private readonly List<string> requestedNames = [];

    /// <summary>The VMs to save (Get-LabGoldenVm output binds by its Name property); all saveable golden VMs when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VmName")]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>The VMs were not sysprepped/deprovisioned: record the VHDs as specialized.</summary>
    [Parameter]
    public SwitchParameter Specialized { get; set; }

    /// <summary>How many copies run at once (1-64).</summary>
    [Parameter]
    [ValidateRange(BoundedParallel.MinimumConcurrency, BoundedParallel.MaximumConcurrency)]
    public int MaxConcurrentJobs { get; set; } = 4;

    protected override void ProcessRecord()
    {
        if (Name is not null)
        {
            requestedNames.AddRange(Name);
        }
    }

    protected override void EndProcessing()
    {
        var azure = GetSession();
        var lab = FindLab(azure);
        var golden = RunTerminating(token => GoldenVmService.ListAsync(azure.Labs, lab, token), lab.Id);

        var selected = new List<GoldenVm>();
        if (requestedNames.Count == 0)
        {
            selected.AddRange(golden.Where(vm => !string.Equals(vm.ProvisioningState, "Failed", StringComparison.OrdinalIgnoreCase)));
        }
        else
        {
            foreach (var name in requestedNames.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var vm = golden.FirstOrDefault(candidate => string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase));
                if (vm is null)
                {
                    WriteError(new ErrorRecord(
                        new ItemNotFoundException($"Lab '{lab.Name}' has no golden VM (a VM tagged ImagePath) named '{name}'."),
                        "GoldenVmNotFound",
                        ErrorCategory.ObjectNotFound,
                        name));
                    continue;
                }

                selected.Add(vm);
            }
        }

        // ShouldProcess on the pipeline thread, before any work starts; -WhatIf therefore makes no write at all.
        var approved = new List<GoldenVm>();
        foreach (var vm in selected)
        {
            if (!vm.CanSave)
            {
                approved.Add(vm); // reported as skipped, with its reason; nothing is written for it
                continue;
            }

            var kind = Specialized.IsPresent ? "specialized" : "generalized";
            if (ShouldProcess($"VM '{vm.Name}' ({vm.ImagePath}) in lab '{lab.Name}'", $"Save the OS disk as a {kind} VHD in the factory store"))
            {
                approved.Add(vm);
            }
        }

        if (approved.Count == 0)
        {
            return;
        }

        var saver = new VhdSaver(azure.Disks, azure.Blobs);
        var options = new VhdSaveOptions { Specialized = Specialized.IsPresent, MaxConcurrency = MaxConcurrentJobs };
        RunEngine((sink, token) => saver.SaveAsync(lab, approved, options, sink, token));
    }
}
