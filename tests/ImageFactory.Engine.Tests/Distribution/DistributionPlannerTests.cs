using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Distribution;
using ImageFactory.Engine.Tests.Fakes;
using ImageFactory.Engine.Vhds;
using static ImageFactory.Engine.Tests.Distribution.DistributionData;

namespace ImageFactory.Engine.Tests.Distribution;

/// <summary><see cref="DistributionPlanner.PlanAsync"/> against fakes: what is read, how often, and what failures block.</summary>
public sealed class DistributionPlannerTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static readonly GoldenImage Win = Golden("Win2016/Datacenter.json");
    private static readonly GoldenImage Linux = Golden("Linux/Ubuntu.json", GoldenImageOsType.Linux);

    private readonly LabInfo factory = DistributionLabGateway.Lab("Factory", "sub-f", "rg-f", "northeurope");
    private readonly DistributionLabGateway labs = new();
    private readonly FakeBlobGatewayFactory blobs = new();
    private readonly RecordingSink sink = new();
    private readonly FakeBlobContainer store;

    public DistributionPlannerTests()
    {
        store = blobs.Add(factory.ArtifactsStorageAccountId!, VhdStore.ContainerName, new FakeBlobContainer());
        Save("win-new", "Win2016/Datacenter.json", "Win2016_Datacenter-Nov-25-2026", DistributionData.Day);
        Save("win-old", "Win2016/Datacenter.json", "Win2016_Datacenter-Nov-20-2026", DistributionData.Day.AddDays(-5));
        Save("linux-1", "Linux/Ubuntu.json", "Linux_Ubuntu-Nov-25-2026", DistributionData.Day, "Linux");
    }

    private void Save(string id, string imagePath, string imageName, DateTimeOffset timestamp, string osType = "Windows") =>
        store.Seed(id + ".vhd", length: 1024)
            .Seed(id + ".json", new VhdRecord(imageName, imagePath, "d", osType, id + ".vhd", timestamp, osType == "Windows").ToJson());

    private static FactoryConfiguration Configuration(params LabTarget[] targets)
    {
        var indexed = targets.Select((target, index) => new LabTarget(
            index, target.SubscriptionId, target.LabName, target.ResourceGroup, target.ResourceId, target.ImagePaths, target.GoldenImages)).ToList();
        return new FactoryConfiguration("/config", "/config/Labs.json", [Linux, Win], indexed, []);
    }

    private Task<IReadOnlyList<DistributionPlanItem>> Plan(FactoryConfiguration configuration, DistributionPlanOptions? options = null) =>
        new DistributionPlanner(labs, blobs).PlanAsync(configuration, factory, options ?? new DistributionPlanOptions(), sink, CancellationToken.None)
            .WaitAsync(HangGuard, CancellationToken.None);

    private static DistributionPlanItem ItemOf(IReadOnlyList<DistributionPlanItem> plan, string labName, string imagePath) =>
        Assert.Single(plan, item => item.TargetLabName == labName && item.ImagePath == imagePath);

    [Fact]
    public async Task Labs_are_listed_once_per_subscription_and_images_once_per_lab()
    {
        var a = DistributionLabGateway.Lab("LabA", "sub-1", "rg-a");
        var b = DistributionLabGateway.Lab("LabB", "sub-1", "rg-b");
        var c = DistributionLabGateway.Lab("LabC", "SUB-2", "rg-c", "eastus");
        labs.Add(a, DistributionLabGateway.Image("Win2016_Datacenter-Nov-25-2026"))
            .Add(b, DistributionLabGateway.Image("Old", sourceId: "linux-1"))
            .Add(c)
            .Add(DistributionLabGateway.Lab("Unrelated", "sub-1"));

        var plan = await Plan(Configuration(
            Target(a, withGroup: true, Linux, Win),
            Target("sub-1", "labb", null, Linux, Win),
            Target("sub-2", "LabC", null, Win)));

        Assert.Equal(1, labs.CallCount("ListLabs sub-1"));
        Assert.Equal(1, labs.CallCount("ListLabs sub-2") + labs.CallCount("ListLabs SUB-2"));
        Assert.Equal(2, labs.CallCount("ListLabs"));
        Assert.Equal(0, labs.CallCount("GetLab"));
        Assert.Equal(["ListImages LabA", "ListImages LabB", "ListImages LabC"], labs.Calls.Where(call => call.StartsWith("ListImages", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        Assert.Equal(5, plan.Count);
        Assert.Equal(DistributionAction.Copy, ItemOf(plan, "LabA", "Linux/Ubuntu.json").Action);
        Assert.Equal(DistributionAction.Skip, ItemOf(plan, "LabA", "Win2016/Datacenter.json").Action);
        Assert.Equal(DistributionAction.Skip, ItemOf(plan, "LabB", "Linux/Ubuntu.json").Action);
        Assert.Equal("Old", ItemOf(plan, "LabB", "Linux/Ubuntu.json").ExistingImageName);
        var copy = ItemOf(plan, "LabB", "Win2016/Datacenter.json");
        Assert.Equal(DistributionAction.Copy, copy.Action);
        Assert.Equal("win-new", copy.SourceId);
        Assert.Equal("Win2016_Datacenter-Nov-25-2026", copy.ImageName);
        Assert.Equal(store.GetBlobUri("win-new.vhd"), copy.SourceVhdUri);
        Assert.Equal(factory.ArtifactsStorageAccountId, copy.SourceStorageAccountId);
        Assert.Equal("northeurope", copy.SourceLocation);
        Assert.Equal(b.Id, copy.TargetLabId);
        Assert.Equal("rg-b", copy.TargetResourceGroupName);
        Assert.Equal(b.DefaultStorageAccountId, copy.TargetStorageAccountId);
        Assert.Equal("eastus", ItemOf(plan, "LabC", "Win2016/Datacenter.json").TargetLocation);
        Assert.Empty(sink.Warnings);
    }

    [Fact]
    public async Task All_vhds_plans_every_saved_vhd()
    {
        var a = DistributionLabGateway.Lab("LabA");
        labs.Add(a);

        var plan = await Plan(Configuration(Target(a, true, Win)), new DistributionPlanOptions { AllVhds = true });

        Assert.Equal(["win-new", "win-old"], plan.Select(item => item.SourceId));
        Assert.All(plan, item => Assert.Equal(DistributionAction.Copy, item.Action));
    }

    [Fact]
    public async Task A_subscription_whose_labs_cannot_be_listed_blocks_only_its_own_labs()
    {
        var a = DistributionLabGateway.Lab("LabA", "sub-1");
        var b = DistributionLabGateway.Lab("LabB", "sub-2");
        labs.Add(a).Add(b);
        labs.Failures["ListLabs sub-2"] = new AzureRequestException(403, "AuthorizationFailed", "The client has no authorization.", "GET", "/subscriptions/sub-2/providers/Microsoft.DevTestLab/labs");

        var plan = await Plan(Configuration(Target(a, false, Win), Target(b, true, Win), Target("sub-2", "LabC", null, Win)));

        Assert.Equal(DistributionAction.Copy, ItemOf(plan, "LabA", "Win2016/Datacenter.json").Action);
        foreach (var name in (string[])["LabB", "LabC"])
        {
            var item = ItemOf(plan, name, "Win2016/Datacenter.json");
            Assert.Equal(DistributionAction.Blocked, item.Action);
            Assert.Contains("the labs of subscription 'sub-2' cannot be listed", item.Reason, StringComparison.Ordinal);
            Assert.Contains("no authorization", item.Reason, StringComparison.Ordinal);
        }

        // The listing failure is the reason: no GET is spent on a lab of that subscription, nor an image listing.
        Assert.Equal(0, labs.CallCount("GetLab"));
        Assert.Equal(["ListImages LabA"], labs.Calls.Where(call => call.StartsWith("ListImages", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_lab_missing_from_the_list_with_its_resource_group_known_is_looked_up_once()
    {
        // Hidden: readable with a GET (access on its resource group only) but not listed at subscription scope.
        var hidden = DistributionLabGateway.Lab("Hidden", "sub-1", "rg-h");
        var forbidden = DistributionLabGateway.Lab("Forbidden", "sub-1", "rg-x");
        labs.Add(DistributionLabGateway.Lab("LabA"));
        labs.Failures["GetLab sub-1/rg-x/Forbidden"] = new AzureRequestException(403, "AuthorizationFailed", "no", "GET", forbidden.Id);

        var plan = await Plan(Configuration(
            Target("sub-1", "Forbidden", "rg-x", Win),
            Target("sub-1", "Absent", "rg-y", Win),
            Target("sub-1", "NoGroup", null, Win)));
        var getsOfFirstPlan = labs.CallCount("GetLab");
        labs.Hidden.Add(hidden.Id);
        labs.Labs.Add(hidden);
        var planWithHidden = await Plan(Configuration(Target("sub-1", "Hidden", "rg-h", Win)));

        var denied = ItemOf(plan, "Forbidden", "Win2016/Datacenter.json");
        Assert.Equal(DistributionAction.Blocked, denied.Action);
        Assert.Equal("no access to lab 'Forbidden' in resource group 'rg-x' of subscription 'sub-1' (AuthorizationFailed)", denied.Reason);
        var absent = ItemOf(plan, "Absent", "Win2016/Datacenter.json");
        Assert.Equal(DistributionAction.Blocked, absent.Action);
        Assert.Equal("lab 'Absent' was not found in resource group 'rg-y' of subscription 'sub-1'", absent.Reason);
        var noGroup = ItemOf(plan, "NoGroup", "Win2016/Datacenter.json");
        Assert.Equal("lab 'NoGroup' was not found in subscription 'sub-1'", noGroup.Reason);

        // One GET each for the labs with a resource group; none for the one without (there is nothing to ask).
        Assert.Equal(1, labs.CallCount("GetLab sub-1/rg-x/Forbidden"));
        Assert.Equal(1, labs.CallCount("GetLab sub-1/rg-y/Absent"));
        Assert.Equal(2, getsOfFirstPlan);
        Assert.Equal(1, labs.CallCount("GetLab sub-1/rg-h/Hidden"));

        // Hidden is found by its GET, so its images are listed (once) and it is planned.
        var item = Assert.Single(planWithHidden);
        Assert.Equal(DistributionAction.Copy, item.Action);
        Assert.Equal(hidden.Id, item.TargetLabId);
        Assert.Equal(1, labs.CallCount("ListImages Hidden"));
    }

    [Fact]
    public async Task A_lab_whose_get_fails_otherwise_is_blocked_alone()
    {
        labs.Add(DistributionLabGateway.Lab("LabA"));
        labs.Failures["GetLab sub-1/rg-z/Broken"] = new AzureRequestException(500, "InternalServerError", "Something broke.", "GET", "/labs/Broken");

        var plan = await Plan(Configuration(Target("sub-1", "Broken", "rg-z", Win), Target("sub-1", "LabA", null, Win)));

        var broken = ItemOf(plan, "Broken", "Win2016/Datacenter.json");
        Assert.Equal(DistributionAction.Blocked, broken.Action);
        Assert.Contains("Something broke.", broken.Reason, StringComparison.Ordinal);
        Assert.Equal(DistributionAction.Copy, ItemOf(plan, "LabA", "Win2016/Datacenter.json").Action);
    }

    [Fact]
    public async Task A_lab_whose_images_cannot_be_listed_is_blocked_alone()
    {
        var a = DistributionLabGateway.Lab("LabA");
        var b = DistributionLabGateway.Lab("LabB");
        labs.Add(a).Add(b);
        labs.Failures["ListImages LabB"] = new HttpRequestException("Connection reset.");

        var plan = await Plan(Configuration(Target(a, true, Win), Target(b, true, Win, Linux)));

        Assert.Equal(DistributionAction.Copy, ItemOf(plan, "LabA", "Win2016/Datacenter.json").Action);
        Assert.All(plan.Where(item => item.TargetLabName == "LabB"), item =>
        {
            Assert.Equal(DistributionAction.Blocked, item.Action);
            Assert.Equal("the custom images of lab 'LabB' cannot be listed: Connection reset.", item.Reason);
        });
    }

    [Fact]
    public async Task Labs_without_golden_images_and_labs_of_other_shards_are_not_read()
    {
        var names = Enumerable.Range(0, 12).Select(index => $"Lab{index}").ToList();
        foreach (var name in names)
        {
            labs.Add(DistributionLabGateway.Lab(name));
        }

        var targets = names.Select(name => Target("sub-1", name, null, Win)).Append(Target("sub-1", "Empty", null)).ToArray();
        var shards = new List<IReadOnlyList<DistributionPlanItem>>();
        for (var index = 0; index < 3; index++)
        {
            shards.Add(await Plan(Configuration(targets), new DistributionPlanOptions { ShardCount = 3, ShardIndex = index }));
        }

        // The shards split the labs: each lab in exactly one, every lab planned, and only its own labs' images read.
        Assert.Equal(names.Order(StringComparer.Ordinal), shards.SelectMany(shard => shard).Select(item => item.TargetLabName).Order(StringComparer.Ordinal));
        for (var index = 0; index < 3; index++)
        {
            Assert.All(shards[index], item => Assert.Equal(index, Sharding.ShardOf("sub-1", item.TargetLabName, 3)));
        }

        Assert.Equal(names.Count, labs.CallCount("ListImages"));
        Assert.DoesNotContain(labs.Calls, call => call.Contains("Empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreadable_record_is_a_warning_and_its_vhd_is_not_planned()
    {
        store.Seed("bad.vhd", length: 1).Seed("bad.json", "{ not json");
        labs.Add(DistributionLabGateway.Lab("LabA"));

        var plan = await Plan(Configuration(Target("sub-1", "LabA", null, Win)));

        Assert.Contains(sink.Warnings, warning => warning.Contains("bad.json", StringComparison.Ordinal));
        Assert.Equal("win-new", Assert.Single(plan).SourceId);
    }
}
