using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Retention;
using ImageFactory.Engine.Vhds;
using static ImageFactory.Engine.Tests.Retention.RetentionLabGateway;

namespace ImageFactory.Engine.Tests.Retention;

public sealed class GoldenVmCleanupTests
{
    private const string Dc = "Win2016/Datacenter.json";
    private const string Sql = "Win2016/SQLServer 2016 Express.json";
    private static readonly DateTimeOffset Day0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly LabInfo Factory = Lab("Factory");

    private static DateTimeOffset DayOf(int day) => Day0.AddDays(day);

    private static VhdRecord Record(string id, string path, int day, string? sourceVm) =>
        new($"{id}-image", path, null, "Windows", id + ".vhd", DayOf(day), true, sourceVm is null ? null : $"{Factory.Id}/virtualmachines/{sourceVm}");

    [Fact]
    public void Each_rule_in_order()
    {
        LabVmInfo[] machines =
        [
            Vm(Factory, "ignored", Dc, DayOf(1), "Succeeded", "FactoryIgnore"),
            Vm(Factory, "ignored-untagged", null, DayOf(1), "Succeeded", "factoryignore"),
            Vm(Factory, "jumpbox", null, DayOf(1)),
            Vm(Factory, "failed", Sql, DayOf(1), "Failed"),
            Vm(Factory, "saved", Dc, DayOf(2)),
            Vm(Factory, "recreated", Sql, DayOf(5)),
            Vm(Factory, "legacy", "Win2016\\Datacenter.json", DayOf(3)),
            Vm(Factory, "legacy-old", Sql, DayOf(3)),
            Vm(Factory, "unknown-age", "Ubuntu/Server.json", null),
            Vm(Factory, "going", Dc, DayOf(1), "Deleting"),
        ];
        VhdRecord[] records =
        [
            Record("r1", Dc, 3, "saved"),
            Record("r2", Sql, 4, "recreated"),   // older than the VM: that VM was recreated since
            Record("r3", Dc, 4, null),           // the original's record: same ImagePath, newer than 'legacy'
            Record("r4", Sql, 2, null),          // the original's record, older than 'legacy-old'
            Record("r5", "Ubuntu/Server.json", 9, null),
        ];

        var plan = GoldenVmCleanupPlanner.Plan(Factory, machines, records, force: false);

        Assert.Equal(["jumpbox"], plan.Untagged.Select(vm => vm.Name));
        var byName = plan.Decisions.ToDictionary(decision => decision.Vm.Name);
        Assert.DoesNotContain("going", byName.Keys);
        Assert.Equal((GoldenVmCleanupKind.Keep, GoldenVmRemovalReason.FactoryIgnore), (byName["ignored"].Kind, byName["ignored"].Reason));
        Assert.Equal(GoldenVmCleanupKind.Keep, byName["ignored-untagged"].Kind);
        Assert.Equal((GoldenVmCleanupKind.Delete, GoldenVmRemovalReason.ProvisioningFailed), (byName["failed"].Kind, byName["failed"].Reason));
        Assert.Equal((GoldenVmCleanupKind.Delete, GoldenVmRemovalReason.Saved), (byName["saved"].Kind, byName["saved"].Reason));
        Assert.Equal("r1-image", byName["saved"].SavedAs);
        Assert.Equal((GoldenVmCleanupKind.Refuse, GoldenVmRemovalReason.NotSaved), (byName["recreated"].Kind, byName["recreated"].Reason));
        Assert.Equal((GoldenVmCleanupKind.Delete, GoldenVmRemovalReason.Saved), (byName["legacy"].Kind, byName["legacy"].Reason));
        Assert.Equal(GoldenVmCleanupKind.Refuse, byName["legacy-old"].Kind);
        Assert.Equal(GoldenVmCleanupKind.Refuse, byName["unknown-age"].Kind);
        Assert.Contains("-Force", byName["recreated"].Details, StringComparison.Ordinal);
    }

    [Fact]
    public void Force_deletes_unsaved_vms_but_still_keeps_ignored_and_untagged_ones()
    {
        LabVmInfo[] machines = [Vm(Factory, "unsaved", Dc, DayOf(1)), Vm(Factory, "ignored", Dc, DayOf(1), "Succeeded", "FactoryIgnore"), Vm(Factory, "mine", null, DayOf(1))];

        var plan = GoldenVmCleanupPlanner.Plan(Factory, machines, [], force: true);

        Assert.Equal((GoldenVmCleanupKind.Delete, GoldenVmRemovalReason.Forced), (plan.Decisions.Single(d => d.Vm.Name == "unsaved").Kind, plan.Decisions.Single(d => d.Vm.Name == "unsaved").Reason));
        Assert.Equal(GoldenVmCleanupKind.Keep, plan.Decisions.Single(d => d.Vm.Name == "ignored").Kind);
        Assert.Equal("mine", Assert.Single(plan.Untagged).Name);
    }

    [Fact]
    public void A_record_of_another_vm_with_the_same_image_path_does_not_count()
    {
        var plan = GoldenVmCleanupPlanner.Plan(Factory, [Vm(Factory, "second", Dc, DayOf(1))], [Record("r", Dc, 5, "first")], force: false);

        Assert.Equal(GoldenVmCleanupKind.Refuse, Assert.Single(plan.Decisions).Kind);
    }

    [Fact]
    public async Task The_store_is_read_only_when_a_decision_depends_on_it()
    {
        var labs = new RetentionLabGateway();
        labs.Vms[Factory.Id] = [Vm(Factory, "failed", Dc, DayOf(1), "Failed"), Vm(Factory, "ignored", Dc, DayOf(1), "Succeeded", "FactoryIgnore")];
        var store = new RetentionBlobContainer();

        var plan = await new GoldenVmCleaner(labs, store).PlanAsync(Factory, force: false, CancellationToken.None);

        Assert.Equal(0, store.Lists);
        Assert.Equal(2, plan.Decisions.Count);

        labs.Vms[Factory.Id].Add(Vm(Factory, "saved", Dc, DayOf(1)));
        store.SeedSaved("r1", Dc, DayOf(2), $"{Factory.Id}/virtualmachines/saved");
        plan = await new GoldenVmCleaner(labs, store).PlanAsync(Factory, force: false, CancellationToken.None);

        Assert.Equal(1, store.Lists);
        Assert.Equal(GoldenVmRemovalReason.Saved, plan.Decisions.Single(decision => decision.Vm.Name == "saved").Reason);
    }

    [Fact]
    public async Task A_failed_deletion_is_reported_with_the_vm_as_target_and_the_others_are_deleted()
    {
        var labs = new RetentionLabGateway();
        labs.Vms[Factory.Id] = [.. Enumerable.Range(1, 5).Select(i => Vm(Factory, $"vm-{i}", Dc, DayOf(1), "Failed"))];
        labs.Failures[labs.Vms[Factory.Id][2].Id] = new AzureRequestException(409, "Conflict", "Another operation is in progress on the VM.", "DELETE", "vm-3");
        var cleaner = new GoldenVmCleaner(labs, new RetentionBlobContainer());
        var plan = await cleaner.PlanAsync(Factory, force: false, CancellationToken.None);
        var sink = new RetentionSink();

        await cleaner.DeleteAsync([.. plan.Decisions, .. plan.Decisions], 2, sink, CancellationToken.None);

        var error = Assert.Single(sink.Errors);
        Assert.Equal("AzureConflict", error.ErrorId);
        Assert.Equal("vm-3", Assert.IsType<GoldenVm>(error.Target).Name);
        Assert.Equal(5, labs.CallCount("DeleteVm"));
        Assert.Equal(4, sink.Results<GoldenVmRemovalResult>().Count(result => result.Action == GoldenVmRemovalAction.Deleted));
        Assert.Equal("vm-3", Assert.Single(labs.Vms[Factory.Id]).Name);
        Assert.InRange(labs.MaxConcurrentDeletes, 1, 2);
    }
}
