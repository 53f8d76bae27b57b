using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Tests.Fakes;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Tests.Vhds;

public sealed class GoldenVmServiceTests
{
    private static readonly LabInfo Lab = FakeLabGateway.Lab("Factory", "rg-factory");

    internal static LabVmInfo Vm(
        string name,
        string? imagePath = "Win2016/Datacenter.json",
        string powerState = "deallocated",
        string provisioningState = "Succeeded",
        string? osType = "Windows",
        string? notes = "notes",
        bool hasDisk = true,
        string tagName = "ImagePath",
        DateTimeOffset? created = null)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["CreatedBy"] = "factory" };
        if (imagePath is not null)
        {
            tags[tagName] = imagePath;
        }

        return new LabVmInfo(
            $"{Lab.Id}/virtualmachines/{name}",
            name,
            tags,
            notes,
            osType,
            provisioningState,
            created ?? new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero),
            $"/subscriptions/sub-1/resourceGroups/Factory-{name}/providers/Microsoft.Compute/virtualMachines/{name}",
            powerState,
            hasDisk ? FakeDiskGateway.DiskId(name + "-os") : null);
    }

    private static async Task<IReadOnlyList<GoldenVm>> List(params LabVmInfo[] machines)
    {
        var labs = new FakeLabGateway().AddLab(Lab);
        foreach (var vm in machines)
        {
            labs.AddVm(Lab, vm);
        }

        return await GoldenVmService.ListAsync(labs, Lab, CancellationToken.None);
    }

    [Fact]
    public async Task Only_vms_tagged_with_an_image_path_are_golden_vms()
    {
        var golden = await List(Vm("a"), Vm("untagged", imagePath: null), Vm("b", imagePath: "Linux/Ubuntu.json"));

        Assert.Equal(["a", "b"], golden.Select(vm => vm.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_tag_name_is_matched_case_insensitively_whatever_the_dictionary()
    {
        var golden = await List(Vm("a", tagName: "imagepath"), Vm("b", tagName: "IMAGEPATH", imagePath: "X/y.json"));

        Assert.Equal(2, golden.Count);
        Assert.All(golden, vm => Assert.True(vm.CanSave, vm.NotReadyReason));
        Assert.Equal(["Win2016/Datacenter.json", "X/y.json"], golden.Select(vm => vm.ImagePath));
    }

    [Fact]
    public async Task A_deallocated_provisioned_vm_with_a_disk_can_be_saved_and_carries_its_details()
    {
        var vm = Assert.Single(await List(Vm("a", notes: "My image")));

        Assert.True(vm.CanSave);
        Assert.Null(vm.NotReadyReason);
        Assert.Equal("Factory", vm.LabName);
        Assert.Equal("rg-factory", vm.ResourceGroupName);
        Assert.Equal("sub-1", vm.SubscriptionId);
        Assert.Equal("My image", vm.Description);
        Assert.Equal(FakeDiskGateway.DiskId("a-os"), vm.OsDiskId);
        Assert.Equal("Windows", vm.OsType);
    }

    [Theory]
    [InlineData("running", "Succeeded", true, "running, not deallocated")]
    [InlineData("stopped", "Succeeded", true, "stopped, not deallocated")]
    [InlineData("deallocating", "Succeeded", true, "deallocating, not deallocated")]
    [InlineData("deallocated", "Failed", true, "provisioning state is Failed")]
    [InlineData("deallocated", "Creating", true, "provisioning state is Creating")]
    [InlineData("deallocated", "Succeeded", false, "no managed OS disk")]
    public async Task A_vm_that_cannot_be_saved_says_why(string powerState, string provisioningState, bool hasDisk, string reason)
    {
        var vm = Assert.Single(await List(Vm("a", powerState: powerState, provisioningState: provisioningState, hasDisk: hasDisk)));

        Assert.False(vm.CanSave);
        Assert.Contains(reason, vm.NotReadyReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_vm_is_told_its_disk_is_in_use()
    {
        var vm = Assert.Single(await List(Vm("a", powerState: "running")));

        Assert.Contains("in use", vm.NotReadyReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_image_path_tag_cannot_be_saved()
    {
        var vm = Assert.Single(await List(Vm("a", imagePath: " ")));

        Assert.False(vm.CanSave);
        Assert.Contains("ImagePath tag is empty", vm.NotReadyReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backslash_image_path_is_normalised()
    {
        var vm = Assert.Single(await List(Vm("a", imagePath: "Win2016\\SQL\\Express.json")));

        Assert.Equal("Win2016/SQL/Express.json", vm.ImagePath);
    }

    [Fact]
    public async Task Golden_vms_are_ordered_by_image_path_then_name()
    {
        var golden = await List(Vm("z", imagePath: "B/b.json"), Vm("y", imagePath: "a/a.json"), Vm("x", imagePath: "B/b.json"));

        Assert.Equal(["y", "x", "z"], golden.Select(vm => vm.Name));
    }
}
