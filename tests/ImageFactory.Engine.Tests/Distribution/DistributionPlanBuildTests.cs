using CsCheck;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Distribution;
using ImageFactory.Engine.Tests.Configuration;
using ImageFactory.Engine.Vhds;
using static ImageFactory.Engine.Tests.Distribution.DistributionData;

namespace ImageFactory.Engine.Tests.Distribution;

/// <summary>The pure part of planning: <see cref="DistributionPlanner.Build"/> and <see cref="DistributionPlanner.Match"/>.</summary>
public sealed class DistributionPlanBuildTests
{
    private const string StoreAccount = "/subscriptions/sub-f/resourceGroups/rg-f/providers/Microsoft.Storage/storageAccounts/afactory";

    private static readonly GoldenImage Win = Golden("Win2016/Datacenter.json");
    private static readonly GoldenImage Linux = Golden("Linux/Ubuntu.json", GoldenImageOsType.Linux);

    private static readonly LabInfo LabA = DistributionLabGateway.Lab("LabA", location: "eastus");

    private static List<DistributionPlanItem> Build(
        LabTarget target, IReadOnlyList<SavedVhd> saved, TargetLabState state, bool allVhds = false) =>
        DistributionPlanner.Build([target], saved, _ => state, StoreAccount, "westeurope", allVhds);

    private static TargetLabState Found(LabInfo lab, params CustomImageInfo[] images) => new(lab, images, null);

    [Fact]
    public void A_missing_image_is_a_copy_with_everything_a_publisher_needs()
    {
        var vhd = Vhd("Win2016/Datacenter.json", "src-1", Day);

        var item = Assert.Single(Build(Target(LabA, withGroup: true, Win), [vhd], Found(LabA, DistributionLabGateway.Image("Other"))));

        Assert.Equal(DistributionAction.Copy, item.Action);
        Assert.Null(item.Reason);
        Assert.Equal(vhd.ImageName, item.ImageName);
        Assert.Equal("Win2016/Datacenter.json", item.ImagePath);
        Assert.Equal("src-1", item.SourceId);
        Assert.Equal("Windows", item.OsType);
        Assert.False(item.Specialized);
        Assert.Equal("saved src-1", item.Description);
        Assert.Equal(vhd.VhdUri, item.SourceVhdUri);
        Assert.Equal(StoreAccount, item.SourceStorageAccountId);
        Assert.Equal("westeurope", item.SourceLocation);
        Assert.Equal("sub-1", item.TargetSubscriptionId);
        Assert.Equal("LabA", item.TargetLabName);
        Assert.Equal("rg", item.TargetResourceGroupName);
        Assert.Equal(LabA.Id, item.TargetLabId);
        Assert.Equal("eastus", item.TargetLocation);
        Assert.Equal(LabA.DefaultStorageAccountId, item.TargetStorageAccountId);
        Assert.Null(item.ExistingImageName);
    }

    [Fact]
    public void A_lab_without_a_default_storage_account_receives_into_its_artifacts_account()
    {
        var lab = LabA with { DefaultStorageAccountId = null };

        var item = Assert.Single(Build(Target(lab, withGroup: false, Win), [Vhd("Win2016/Datacenter.json", "src-1", Day)], Found(lab)));

        Assert.Equal(lab.ArtifactsStorageAccountId, item.TargetStorageAccountId);
        Assert.Equal("rg", item.TargetResourceGroupName);
    }

    [Fact]
    public void An_image_of_the_same_name_in_any_casing_means_skip()
    {
        var vhd = Vhd("Win2016/Datacenter.json", "src-1", Day, imageName: "Win2016_Datacenter-Nov-25-2026");

        var item = Assert.Single(Build(Target(LabA, true, Win), [vhd], Found(LabA, DistributionLabGateway.Image("WIN2016_DATACENTER-nov-25-2026"))));

        Assert.Equal(DistributionAction.Skip, item.Action);
        Assert.Equal("WIN2016_DATACENTER-nov-25-2026", item.ExistingImageName);
        Assert.Contains("'WIN2016_DATACENTER-nov-25-2026'", item.Reason, StringComparison.Ordinal);
        Assert.Equal("src-1", item.SourceId);
    }

    [Fact]
    public void An_image_tagged_with_the_vhds_source_id_means_skip_even_under_another_name()
    {
        var vhd = Vhd("Win2016/Datacenter.json", "src-1", Day);
        var renamed = DistributionLabGateway.Image("Renamed", sourceId: "SRC-1");
        var other = DistributionLabGateway.Image("Unrelated", sourceId: "src-2");

        var item = Assert.Single(Build(Target(LabA, true, Win), [vhd], Found(LabA, other, renamed)));

        Assert.Equal(DistributionAction.Skip, item.Action);
        Assert.Equal("Renamed", item.ExistingImageName);
    }

    [Fact]
    public void Images_whose_provisioning_failed_do_not_count_as_present()
    {
        var vhd = Vhd("Win2016/Datacenter.json", "src-1", Day);
        var failedByName = DistributionLabGateway.Image(vhd.ImageName, state: "Failed");
        var failedByTag = DistributionLabGateway.Image("Tagged", sourceId: "src-1", state: "failed");

        var item = Assert.Single(Build(Target(LabA, true, Win), [vhd], Found(LabA, failedByName, failedByTag)));

        Assert.Equal(DistributionAction.Copy, item.Action);

        // Any other state (a creation still running, say) counts: it is not copied twice.
        var creating = DistributionLabGateway.Image(vhd.ImageName, state: "Creating");
        Assert.Equal(DistributionAction.Skip, Assert.Single(Build(Target(LabA, true, Win), [vhd], Found(LabA, failedByName, creating))).Action);
    }

    [Fact]
    public void No_saved_vhd_blocks_the_image_but_not_the_labs_other_images()
    {
        var items = Build(Target(LabA, true, Linux, Win), [Vhd("Win2016/Datacenter.json", "src-1", Day)], Found(LabA));

        Assert.Equal(2, items.Count);
        var blocked = Assert.Single(items, item => item.Action == DistributionAction.Blocked);
        Assert.Equal("Linux/Ubuntu.json", blocked.ImagePath);
        Assert.Equal(Linux.ImageNameStem, blocked.ImageName);
        Assert.Equal("Linux", blocked.OsType);
        Assert.Contains("no VHD of 'Linux/Ubuntu.json' is saved", blocked.Reason, StringComparison.Ordinal);
        Assert.Equal(string.Empty, blocked.SourceId);
        Assert.Equal(DistributionAction.Copy, Assert.Single(items, item => item.ImagePath == "Win2016/Datacenter.json").Action);
    }

    [Fact]
    public void A_blocked_lab_blocks_each_of_its_images_with_the_labs_reason()
    {
        var target = Target("sub-2", "Gone", "rg-x", Win, Linux);
        var state = new TargetLabState(null, [], "lab 'Gone' was not found");

        var items = Build(target, [Vhd("Win2016/Datacenter.json", "src-1", Day), Vhd("Linux/Ubuntu.json", "src-2", Day, osType: "Linux")], state);

        Assert.Equal(2, items.Count);
        Assert.All(items, item =>
        {
            Assert.Equal(DistributionAction.Blocked, item.Action);
            Assert.Equal("lab 'Gone' was not found", item.Reason);
            Assert.Equal("Gone", item.TargetLabName);
            Assert.Equal("rg-x", item.TargetResourceGroupName);
            Assert.Null(item.TargetLabId);
            Assert.Null(item.TargetStorageAccountId);
        });
        Assert.Equal(["src-1", "src-2"], items.Select(item => item.SourceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Only_the_newest_vhd_of_an_image_path_is_distributed_by_default()
    {
        SavedVhd[] saved =
        [
            Vhd("Win2016/Datacenter.json", "old", Day.AddDays(-10)),
            Vhd("Win2016/Datacenter.json", "newest", Day),
            Vhd("Win2016/Datacenter.json", "middle", Day.AddDays(-1)),
        ];

        var item = Assert.Single(Build(Target(LabA, true, Win), saved, Found(LabA)));

        Assert.Equal("newest", item.SourceId);
        Assert.Equal(DistributionAction.Copy, item.Action);
    }

    [Fact]
    public void All_vhds_gives_one_item_per_saved_vhd_newest_first_each_checked_on_its_own()
    {
        SavedVhd[] saved =
        [
            Vhd("Win2016/Datacenter.json", "old", Day.AddDays(-10)),
            Vhd("Win2016/Datacenter.json", "newest", Day),
            Vhd("Win2016/Datacenter.json", "middle", Day.AddDays(-1)),
        ];

        var items = Build(Target(LabA, true, Win), saved, Found(LabA, DistributionLabGateway.Image("x", sourceId: "middle")), allVhds: true);

        Assert.Equal(["newest", "middle", "old"], items.Select(item => item.SourceId));
        Assert.Equal([DistributionAction.Copy, DistributionAction.Skip, DistributionAction.Copy], items.Select(item => item.Action));
    }

    [Fact]
    public void Image_paths_match_whatever_their_casing_and_separators()
    {
        var item = Assert.Single(Build(Target(LabA, true, Win), [Vhd("./WIN2016\\\\datacenter.JSON", "src-1", Day)], Found(LabA)));
        Assert.Equal(DistributionAction.Copy, item.Action);
        Assert.Equal("src-1", item.SourceId);

        PathGenerators.TemplatePath.Select(Gen.Int).Sample((path, seed) =>
        {
            var items = Build(Target(LabA, true, Golden(path)), [Vhd(PathGenerators.Disguise(path, seed), "src-1", Day)], Found(LabA));
            return items.Count == 1 && items[0].Action == DistributionAction.Copy;
        });
    }

    [Fact]
    public void A_vhd_of_a_sibling_path_is_not_taken_for_the_image()
    {
        var item = Assert.Single(Build(Target(LabA, true, Win), [Vhd("Win2016/Datacenter.json.old", "src-1", Day), Vhd("Win2016R2/Datacenter.json", "src-2", Day)], Found(LabA)));

        Assert.Equal(DistributionAction.Blocked, item.Action);
    }

    [Fact]
    public void Every_target_lab_gets_its_items_from_its_own_state()
    {
        var labB = DistributionLabGateway.Lab("LabB", "sub-2");
        var targets = new[] { Target(LabA, true, Win), Target(labB, false, Win) };
        var states = new Dictionary<LabTarget, TargetLabState>
        {
            [targets[0]] = Found(LabA, DistributionLabGateway.Image("x", sourceId: "src-1")),
            [targets[1]] = Found(labB),
        };

        var items = DistributionPlanner.Build(targets, [Vhd("Win2016/Datacenter.json", "src-1", Day)], target => states[target], StoreAccount, "westeurope", allVhds: false);

        Assert.Equal([("LabA", DistributionAction.Skip), ("LabB", DistributionAction.Copy)], items.Select(item => (item.TargetLabName, item.Action)));
    }

    [Fact]
    public void Match_finds_one_lab_by_name_in_any_casing()
    {
        var state = DistributionPlanner.Match(Target("sub-1", "laba", null), [DistributionLabGateway.Lab("Other"), LabA]);

        Assert.Same(LabA, state.Lab);
        Assert.Null(state.BlockedReason);
        Assert.Empty(state.Images);
    }

    [Fact]
    public void Match_without_a_lab_says_where_it_looked()
    {
        var anywhere = DistributionPlanner.Match(Target("sub-1", "LabA", null), []);
        var inGroup = DistributionPlanner.Match(Target("sub-1", "LabA", "rg-other"), [LabA]);

        Assert.Null(anywhere.Lab);
        Assert.Equal("lab 'LabA' was not found in subscription 'sub-1'", anywhere.BlockedReason);
        Assert.Null(inGroup.Lab);
        Assert.Equal("lab 'LabA' was not found in resource group 'rg-other' of subscription 'sub-1'", inGroup.BlockedReason);
    }

    [Fact]
    public void Match_with_two_labs_of_the_name_is_ambiguous_unless_the_resource_group_is_given()
    {
        var first = DistributionLabGateway.Lab("Twin", resourceGroup: "rg-1");
        var second = DistributionLabGateway.Lab("TWIN", resourceGroup: "rg-2");

        var ambiguous = DistributionPlanner.Match(Target("sub-1", "twin", null), [first, second]);
        var chosen = DistributionPlanner.Match(Target("sub-1", "twin", "RG-2"), [first, second]);

        Assert.Null(ambiguous.Lab);
        Assert.Contains("ambiguous", ambiguous.BlockedReason, StringComparison.Ordinal);
        Assert.Contains("rg-1, rg-2", ambiguous.BlockedReason, StringComparison.Ordinal);
        Assert.Contains("ResourceGroup", ambiguous.BlockedReason, StringComparison.Ordinal);
        Assert.Same(second, chosen.Lab);
        Assert.Null(chosen.BlockedReason);
    }

    [Fact]
    public void Without_shard_options_every_lab_is_in_the_shard()
    {
        var target = Target(LabA, true, Win);

        Assert.True(DistributionPlanner.InShard(target, new DistributionPlanOptions()));
        var shard = Sharding.ShardOf(target.SubscriptionId, target.LabName, 3);
        Assert.True(DistributionPlanner.InShard(target, new DistributionPlanOptions { ShardCount = 3, ShardIndex = shard }));
        Assert.False(DistributionPlanner.InShard(target, new DistributionPlanOptions { ShardCount = 3, ShardIndex = (shard + 1) % 3 }));
    }
}
