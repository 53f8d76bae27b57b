using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Retention;

public enum GoldenVmCleanupKind
{
    Delete,
    Keep,
    Refuse,
}

/// <summary>One tagged VM of the factory lab and what to do with it.</summary>
public sealed class GoldenVmCleanupDecision
{
    public required GoldenVm Vm { get; init; }

    public required GoldenVmCleanupKind Kind { get; init; }

    public required GoldenVmRemovalReason Reason { get; init; }

    public required string Details { get; init; }

    /// <summary>The image name of the saved VHD that makes the VM disposable.</summary>
    public string? SavedAs { get; init; }

    public string Describe() => $"VM '{Vm.Name}' ({Vm.ImagePath ?? "no ImagePath"}) in lab '{Vm.LabName}'";

    public GoldenVmRemovalResult ToResult(GoldenVmRemovalAction action, string? details = null) => new()
    {
        Name = Vm.Name,
        ImagePath = Vm.ImagePath,
        LabName = Vm.LabName,
        Action = action,
        Reason = Reason,
        Details = details ?? Details,
        SavedAs = SavedAs,
        ProvisioningState = Vm.ProvisioningState,
        CreatedDate = Vm.CreatedDate,
        Id = Vm.Id,
    };

    public override string ToString() => $"{Kind} {Describe()}: {Reason}";
}

/// <summary>The decisions for the factory lab's VMs, and the VMs without an ImagePath tag (errors, never touched).</summary>
public sealed class GoldenVmCleanupPlan(LabInfo lab, IReadOnlyList<GoldenVmCleanupDecision> decisions, IReadOnlyList<GoldenVm> untagged)
{
    public LabInfo Lab { get; } = lab;

    public IReadOnlyList<GoldenVmCleanupDecision> Decisions { get; } = decisions;

    /// <summary>VMs the factory did not make (no ImagePath tag, no FactoryIgnore tag): reported, never deleted.</summary>
    public IReadOnlyList<GoldenVm> Untagged { get; } = untagged;
}

/// <summary>
/// Decides which VMs of the factory lab to delete after their VHDs were saved. Pure: the VMs are those of exactly
/// one lab (listed from its resource id, never matched by name), and the records are the factory store's.
/// </summary>
/// <remarks>
/// In order: a VM tagged <c>FactoryIgnore</c> is kept; a VM without an <c>ImagePath</c> tag is reported and left
/// alone; a VM whose provisioning failed is deleted (nothing can be saved from it); a VM whose VHD is saved (a record
/// names it and is newer than its creation, or, for records of the original scripts that name no VM, a record of its
/// ImagePath newer than its creation) is deleted; any other VM is refused unless <c>force</c>. VMs already being
/// deleted are left out.
/// </remarks>
public static class GoldenVmCleanupPlanner
{
    public const string FactoryIgnoreTag = "FactoryIgnore";

    public static GoldenVmCleanupPlan Plan(LabInfo lab, IReadOnlyList<LabVmInfo> machines, IReadOnlyList<VhdRecord> records, bool force)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(machines);
        ArgumentNullException.ThrowIfNull(records);
        var decisions = new List<GoldenVmCleanupDecision>();
        var untagged = new List<GoldenVm>();
        foreach (var machine in machines
            .DistinctBy(vm => vm.Id, StringComparer.OrdinalIgnoreCase)
            .OrderBy(vm => vm.Name, StringComparer.OrdinalIgnoreCase))
        {
            var vm = GoldenVmService.ToGoldenVm(lab, machine);
            if (HasTag(machine, FactoryIgnoreTag))
            {
                decisions.Add(new GoldenVmCleanupDecision
                {
                    Vm = vm, Kind = GoldenVmCleanupKind.Keep, Reason = GoldenVmRemovalReason.FactoryIgnore,
                    Details = $"it is tagged {FactoryIgnoreTag}",
                });
                continue;
            }

            if (string.IsNullOrWhiteSpace(vm.ImagePath))
            {
                untagged.Add(vm);
                continue;
            }

            if (string.Equals(vm.ProvisioningState, "Deleting", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (string.Equals(vm.ProvisioningState, "Failed", StringComparison.OrdinalIgnoreCase))
            {
                decisions.Add(new GoldenVmCleanupDecision
                {
                    Vm = vm, Kind = GoldenVmCleanupKind.Delete, Reason = GoldenVmRemovalReason.ProvisioningFailed,
                    Details = "its provisioning failed: nothing can be saved from it",
                });
                continue;
            }

            var saved = records
                .Where(record => IsSaveOf(record, vm))
                .OrderByDescending(record => record.SourceVmId is not null)
                .ThenByDescending(record => record.Timestamp)
                .FirstOrDefault();
            if (saved is not null)
            {
                decisions.Add(new GoldenVmCleanupDecision
                {
                    Vm = vm, Kind = GoldenVmCleanupKind.Delete, Reason = GoldenVmRemovalReason.Saved, SavedAs = saved.ImageName,
                    Details = $"its VHD is saved as '{saved.ImageName}' ({saved.VhdFileName}, {saved.Timestamp:u})",
                });
                continue;
            }

            var created = vm.CreatedDate is { } date ? $" since its creation at {date:u}" : string.Empty;
            decisions.Add(force
                ? new GoldenVmCleanupDecision
                {
                    Vm = vm, Kind = GoldenVmCleanupKind.Delete, Reason = GoldenVmRemovalReason.Forced,
                    Details = $"no VHD was saved from it{created}; deleted anyway (-Force)",
                }
                : new GoldenVmCleanupDecision
                {
                    Vm = vm, Kind = GoldenVmCleanupKind.Refuse, Reason = GoldenVmRemovalReason.NotSaved,
                    Details = $"no VHD was saved from it{created}: save it with Save-LabVhd first, or use -Force to delete it anyway",
                });
        }

        return new GoldenVmCleanupPlan(lab, decisions, untagged);
    }

    /// <summary>
    /// A record saved from this VM after it was created; a record of the original scripts (no VM recorded) counts when
    /// it has the VM's ImagePath and is newer than the VM (a VM of unknown age cannot be matched that way).
    /// </summary>
    internal static bool IsSaveOf(VhdRecord record, GoldenVm vm)
    {
        if (record.SourceVmId is not null)
        {
            // The same rule Save-LabVhd uses to skip a VM it already saved.
            return VhdSaver.IsSaveOf(record, vm);
        }

        return vm.ImagePath is not null
            && vm.CreatedDate is { } created
            && record.Timestamp > created
            && ImagePathComparer.Instance.Equals(record.ImagePath, vm.ImagePath);
    }

    private static bool HasTag(LabVmInfo vm, string name) =>
        vm.Tags.ContainsKey(name) || vm.Tags.Keys.Any(key => string.Equals(key, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Reads the factory lab's VMs and the store's records (reads only), and deletes approved VMs.</summary>
public sealed class GoldenVmCleaner(ILabGateway labs, IBlobGatewayFactory blobs)
{
    public async Task<GoldenVmCleanupPlan> PlanAsync(LabInfo lab, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var machines = await labs.ListVirtualMachinesAsync(lab, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<VhdRecord> records = [];

        // The store is read only when a decision depends on it.
        var draft = GoldenVmCleanupPlanner.Plan(lab, machines, records, force: false);
        if (draft.Decisions.Any(decision => decision.Kind == GoldenVmCleanupKind.Refuse))
        {
            var store = await VhdStore.OpenAsync(blobs, lab, cancellationToken).ConfigureAwait(false);
            records = await store.ListRecordsAsync(cancellationToken).ConfigureAwait(false);
        }

        return GoldenVmCleanupPlanner.Plan(lab, machines, records, force);
    }

    public async Task DeleteAsync(IReadOnlyList<GoldenVmCleanupDecision> approved, int maxConcurrency, IEngineEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approved);
        ArgumentNullException.ThrowIfNull(sink);
        var work = approved
            .Where(decision => decision.Kind == GoldenVmCleanupKind.Delete)
            .DistinctBy(decision => decision.Vm.Id, StringComparer.OrdinalIgnoreCase)
            .ToList();
        await RetentionExecutor.DeleteWithProgressAsync(
            work, maxConcurrency, "Removing factory VMs", sink, (decision, token) => DeleteOneAsync(decision, sink, token), cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task DeleteOneAsync(GoldenVmCleanupDecision decision, IEngineEventSink sink, CancellationToken cancellationToken)
    {
        try
        {
            var existed = await labs.DeleteVirtualMachineAsync(decision.Vm.Id, cancellationToken).ConfigureAwait(false);
            var details = existed ? decision.Details : $"{decision.Details} (it was already gone)";
            sink.Post(new VerboseEvent($"Deleted {decision.Describe()}: {details}."));
            sink.Post(new ResultEvent(decision.ToResult(GoldenVmRemovalAction.Deleted, details)));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var (errorId, category) = FailureClassifier.Classify(exception);
            sink.Post(new ItemErrorEvent(
                new RetentionException($"Deleting {decision.Describe()} failed: {exception.Message}", exception),
                errorId,
                category,
                decision.Vm));
            sink.Post(new ResultEvent(decision.ToResult(GoldenVmRemovalAction.Failed, exception.Message)));
        }
    }
}
