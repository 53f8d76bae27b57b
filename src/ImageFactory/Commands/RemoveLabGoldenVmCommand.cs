using System.Management.Automation;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Retention;
using ImageFactory.Internal;

namespace ImageFactory.Commands;

/// <summary>
/// Deletes the factory lab's golden VMs once their VHDs are saved: VMs tagged ImagePath in exactly this lab. VMs
/// tagged FactoryIgnore are kept, VMs without an ImagePath tag are reported and left alone, VMs whose provisioning
/// failed are deleted, and a VM whose VHD is not saved yet is refused unless -Force. Replaces CleanUpFactory.ps1.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "LabGoldenVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType("ImageFactory.Engine.Retention.GoldenVmRemovalResult")]
public sealed class RemoveLabGoldenVmCommand : AzureCmdlet
{
    private const string GoldenVmUntagged = "GoldenVmUntagged";

    /// <summary>Also delete golden VMs whose VHD has not been saved yet.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>How many deletions run at once (1-64).</summary>
    [Parameter]
    [ValidateRange(BoundedParallel.MinimumConcurrency, BoundedParallel.MaximumConcurrency)]
    public int MaxConcurrentJobs { get; set; } = 4;

    protected override void ProcessRecord()
    {
        var azure = GetSession();
        var lab = FindLab(azure);
        var cleaner = new GoldenVmCleaner(azure.Labs, azure.Blobs);
        var plan = RunTerminating(token => cleaner.PlanAsync(lab, Force.IsPresent, token), lab.Id);

        foreach (var vm in plan.Untagged)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException(
                    $"VM '{vm.Name}' in lab '{lab.Name}' has no ImagePath tag: the factory did not make it, so it is left alone. " +
                    "Tag it FactoryIgnore to keep it without this error, or delete it yourself."),
                GoldenVmUntagged,
                ErrorCategory.InvalidData,
                vm));
        }

        // Every deletion is confirmed here, on the pipeline thread, before any of them starts: -WhatIf writes nothing.
        var approved = new List<GoldenVmCleanupDecision>();
        foreach (var decision in plan.Decisions)
        {
            switch (decision.Kind)
            {
                case GoldenVmCleanupKind.Keep:
                    WriteObject(decision.ToResult(GoldenVmRemovalAction.Kept));
                    break;
                case GoldenVmCleanupKind.Refuse:
                    WriteWarning($"{decision.Describe()} is not deleted: {decision.Details}.");
                    WriteObject(decision.ToResult(GoldenVmRemovalAction.Refused));
                    break;
                default:
                    if (ShouldProcess(decision.Describe(), $"Delete ({decision.Reason}: {decision.Details})"))
                    {
                        approved.Add(decision);
                    }
                    else
                    {
                        WriteObject(decision.ToResult(GoldenVmRemovalAction.WouldDelete));
                    }

                    break;
            }
        }

        if (approved.Count == 0)
        {
            return;
        }

        RunEngine((sink, token) => cleaner.DeleteAsync(approved, MaxConcurrentJobs, sink, token));
    }
}
