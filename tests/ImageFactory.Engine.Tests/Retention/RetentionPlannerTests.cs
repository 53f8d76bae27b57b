using CsCheck;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Retention;
using static ImageFactory.Engine.Tests.Retention.RetentionLabGateway;

namespace ImageFactory.Engine.Tests.Retention;

public sealed class RetentionPlannerTests
{
    private const string Dc = "Win2016/Datacenter.json";
    private const string Sql = "Win2016/SQLServer 2016 Express.json";
    private static readonly DateTimeOffset Day0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly LabInfo Factory = Lab("Factory");
    private static readonly LabInfo Target = Lab("TargetA", "sub-2");

    private static DateTimeOffset DayOf(int day) => Day0.AddDays(day);

    private static StoredVhd Saved(string id, string path, int day) =>
        new($"{id}-image", path, DayOf(day), id + ".vhd", id + ".json", new Uri($"https://a.blob.test/imagefactoryvhds/{id}.vhd"), id);

    private static RetentionInput Input(int imagesToSave, FactoryStoreSnapshot? store = null, IReadOnlyList<LabImageSnapshot>? labs = null, string[]? golden = null) => new()
    {
        GoldenImagePaths = golden ?? [Dc, Sql],
        Store = store,
        Labs = labs ?? [],
        ImagesToSave = imagesToSave,
        Now = DayOf(30),
    };

    [Theory]
    [InlineData(1, 1, 3)]
    [InlineData(2, 2, 2)]
    [InlineData(5, 4, 0)]
    public void Store_keeps_the_newest_n_per_image_path(int imagesToSave, int keptDatacenter, int deletedDatacenter)
    {
        var store = new FactoryStoreSnapshot(Factory, [Saved("a", Dc, 1), Saved("b", Dc, 4), Saved("c", Dc, 2), Saved("d", Dc, 3), Saved("e", Sql, 1)], []);

        var plan = RetentionPlanner.Plan(Input(imagesToSave, store));

        var datacenter = plan.Decisions.Where(decision => decision.ImagePath == Dc).ToList();
        Assert.Equal(keptDatacenter, datacenter.Count(decision => decision.Kind == RetentionDecisionKind.Keep));
        Assert.Equal(deletedDatacenter, datacenter.Count(decision => decision.Kind == RetentionDecisionKind.Delete));
        Assert.Equal(["b-image", "d-image", "c-image", "a-image"], datacenter.Select(decision => decision.Name));
        Assert.All(datacenter.Take(keptDatacenter), decision => Assert.Equal(RetentionReasons.Newest, decision.Reason));
        Assert.All(datacenter.Skip(keptDatacenter), decision =>
        {
            Assert.Equal(RetentionReasons.Expired, decision.Reason);
            Assert.Equal(decision.Name[..1] + ".json", decision.RecordBlobName);
            Assert.Equal(decision.Name[..1] + ".vhd", decision.VhdBlobName);
        });
        Assert.Equal(RetentionDecisionKind.Keep, plan.Decisions.Single(decision => decision.ImagePath == Sql).Kind);
    }

    [Fact]
    public void Images_without_an_image_path_tag_are_never_candidates()
    {
        var images = new[]
        {
            Image(Target, "untagged", null, DayOf(1)),
            Image(Target, "foreign", null, DayOf(1), tags: new(StringComparer.OrdinalIgnoreCase) { ["CreatedBy"] = "Packer" }),
            Image(Target, "empty-tag", null, DayOf(1), tags: new(StringComparer.OrdinalIgnoreCase) { ["ImagePath"] = " " }),
            Image(Target, "dc-1", Dc, DayOf(1)),
        };

        var plan = RetentionPlanner.Plan(Input(1, labs: [new LabImageSnapshot(Target, LabRole.Dropped, [], images)]));

        Assert.Equal("dc-1", Assert.Single(plan.Decisions).Name);
    }

    [Fact]
    public void Removed_templates_go_everywhere_and_unsubscribed_paths_only_from_target_labs()
    {
        var storeVhds = new FactoryStoreSnapshot(Factory, [Saved("old", "Win2012R2/Gone.json", 5)], []);
        var factoryImages = new[] { Image(Factory, "sql-factory", Sql, DayOf(5)), Image(Factory, "gone-factory", "Win2012R2/Gone.json", DayOf(5)) };
        var targetImages = new[] { Image(Target, "sql-target", Sql, DayOf(5)), Image(Target, "dc-target", Dc, DayOf(5)), Image(Target, "gone-target", "Win2012R2/Gone.json", DayOf(5)) };

        var plan = RetentionPlanner.Plan(Input(2, storeVhds,
        [
            new LabImageSnapshot(Factory, LabRole.Factory, [Dc, Sql], factoryImages),
            new LabImageSnapshot(Target, LabRole.Target, [Dc], targetImages),
        ]));

        var byName = plan.Decisions.ToDictionary(decision => decision.Name);
        Assert.Equal(RetentionReasons.TemplateRemoved, byName["old-image"].Reason);
        Assert.Equal(RetentionReasons.TemplateRemoved, byName["gone-factory"].Reason);
        Assert.Equal(RetentionReasons.TemplateRemoved, byName["gone-target"].Reason);
        Assert.Equal(RetentionReasons.NotSubscribed, byName["sql-target"].Reason);
        Assert.Contains("no longer subscribes", byName["sql-target"].Details, StringComparison.Ordinal);
        Assert.Equal(RetentionDecisionKind.Keep, byName["sql-factory"].Kind);
        Assert.Equal(RetentionDecisionKind.Keep, byName["dc-target"].Kind);
    }

    [Fact]
    public void An_image_selected_twice_is_planned_once_with_both_reasons()
    {
        var images = new[] { Image(Target, "sql-new", Sql, DayOf(3)), Image(Target, "sql-old", Sql, DayOf(1)) };

        var plan = RetentionPlanner.Plan(Input(1, labs:
        [
            new LabImageSnapshot(Target, LabRole.Target, [Dc], images),
            new LabImageSnapshot(Target, LabRole.Target, [Dc], images),
        ]));

        Assert.Equal(2, plan.Decisions.Count);
        var old = plan.Decisions.Single(decision => decision.Name == "sql-old");
        Assert.Equal(RetentionReasons.Expired | RetentionReasons.NotSubscribed, old.Reason);
        Assert.Equal(RetentionDecisionKind.Delete, old.Kind);
        Assert.Contains("by age", old.Details, StringComparison.Ordinal);
        Assert.Contains("no longer subscribes", old.Details, StringComparison.Ordinal);
        var young = plan.Decisions.Single(decision => decision.Name == "sql-new");
        Assert.Equal(RetentionReasons.NotSubscribed, young.Reason);
        Assert.DoesNotContain("newest", young.Details, StringComparison.Ordinal);
    }

    [Fact]
    public void The_factory_lab_listed_in_labs_json_is_planned_once_with_the_factory_rules()
    {
        var images = new[] { Image(Factory, "sql", Sql, DayOf(3)), Image(Factory, "dc", Dc, DayOf(3)) };

        var plan = RetentionPlanner.Plan(Input(1, labs:
        [
            new LabImageSnapshot(Factory, LabRole.Target, [Dc], images),
            new LabImageSnapshot(Factory, LabRole.Factory, [Dc, Sql], images),
        ]));

        Assert.Equal(2, plan.Decisions.Count);
        Assert.All(plan.Decisions, decision => Assert.Equal(RetentionDecisionKind.Keep, decision.Kind));
    }

    [Fact]
    public void Every_factory_image_of_a_dropped_lab_goes()
    {
        var dropped = Lab("Dropped");
        var images = new[] { Image(dropped, "dc-new", Dc, DayOf(9)), Image(dropped, "dc-old", Dc, DayOf(1)), Image(dropped, "mine", null, DayOf(1)) };

        var plan = RetentionPlanner.Plan(Input(1, labs: [new LabImageSnapshot(dropped, LabRole.Dropped, [], images)]));

        Assert.Equal(2, plan.Deletions.Count());
        Assert.Equal(RetentionReasons.LabDropped, plan.Decisions.Single(decision => decision.Name == "dc-new").Reason);
        Assert.Equal(RetentionReasons.LabDropped | RetentionReasons.Expired, plan.Decisions.Single(decision => decision.Name == "dc-old").Reason);
    }

    [Fact]
    public void Images_being_created_are_kept_and_not_counted_and_images_being_deleted_are_left_out()
    {
        var images = new[]
        {
            Image(Target, "creating", Dc, DayOf(9), "Creating"),
            Image(Target, "deleting", Dc, DayOf(8), "Deleting"),
            Image(Target, "ready", Dc, DayOf(5)),
            Image(Target, "older", Dc, DayOf(4)),
        };

        var plan = RetentionPlanner.Plan(Input(1, labs: [new LabImageSnapshot(Target, LabRole.Target, [Dc], images)]));

        Assert.DoesNotContain(plan.Decisions, decision => decision.Name == "deleting");
        Assert.Equal(RetentionReasons.InProgress, plan.Decisions.Single(decision => decision.Name == "creating").Reason);
        Assert.Equal(RetentionReasons.Newest, plan.Decisions.Single(decision => decision.Name == "ready").Reason);
        Assert.Equal(RetentionReasons.Expired, plan.Decisions.Single(decision => decision.Name == "older").Reason);
    }

    [Fact]
    public void Image_paths_match_whatever_the_separator_and_casing()
    {
        var images = new[] { Image(Target, "a", "win2016\\DATACENTER.json", DayOf(2)), Image(Target, "b", Dc, DayOf(1)) };

        var plan = RetentionPlanner.Plan(Input(1, labs: [new LabImageSnapshot(Target, LabRole.Target, ["WIN2016/datacenter.json"], images)]));

        Assert.Equal(RetentionReasons.Newest, plan.Decisions.Single(decision => decision.Name == "a").Reason);
        Assert.Equal(RetentionReasons.Expired, plan.Decisions.Single(decision => decision.Name == "b").Reason);
        Assert.Equal("win2016/DATACENTER.json", plan.Decisions.Single(decision => decision.Name == "a").ImagePath);
    }

    [Fact]
    public void Old_orphans_are_deleted_and_young_ones_left_alone()
    {
        var store = new FactoryStoreSnapshot(Factory, [],
        [
            new StoreOrphan("old.vhd", new Uri("https://a.blob.test/c/old.vhd"), DayOf(1), IsRecord: false),
            new StoreOrphan("young.vhd", new Uri("https://a.blob.test/c/young.vhd"), DayOf(30).AddHours(-2), IsRecord: false),
            new StoreOrphan("dangling.json", new Uri("https://a.blob.test/c/dangling.json"), DayOf(2), IsRecord: true),
            new StoreOrphan("unknown-age.vhd", new Uri("https://a.blob.test/c/unknown-age.vhd"), null, IsRecord: false),
        ]);

        var plan = RetentionPlanner.Plan(Input(1, store));

        Assert.Equal(["dangling.json", "old.vhd"], plan.Decisions.Select(decision => decision.Name).Order(StringComparer.Ordinal));
        Assert.All(plan.Decisions, decision => Assert.Equal(RetentionReasons.Orphaned, decision.Reason));
        var vhd = plan.Decisions.Single(decision => decision.Name == "old.vhd");
        Assert.Null(vhd.RecordBlobName);
        Assert.Equal("old.vhd", vhd.VhdBlobName);
        var record = plan.Decisions.Single(decision => decision.Name == "dangling.json");
        Assert.Equal("dangling.json", record.RecordBlobName);
        Assert.Null(record.VhdBlobName);
    }

    [Fact]
    public void Zero_images_to_save_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetentionPlanner.Plan(Input(0)));
    }

    // ---- properties ----

    private static readonly string[] Paths = [Dc, Sql, "Win2019/Core.json", "win2016\\datacenter.json", "Gone/Old.json"];

    private static readonly Gen<CustomImageInfo[]> ImagesGen =
        Gen.Select(Gen.Int[0, Paths.Length], Gen.Int[0, 20], Gen.Int[0, 5].Select(i => new[] { "Succeeded", "Succeeded", "Succeeded", "Creating", "Failed", "Deleting" }[i]))
            .Array[0, 25]
            .Select(items => items.Select((item, index) =>
                Image(Target, $"image-{index}", item.Item1 == Paths.Length ? null : Paths[item.Item1], item.Item2 == 0 ? null : DayOf(item.Item2), item.Item3)).ToArray());

    private static readonly Gen<(CustomImageInfo[] Images, int ImagesToSave, LabRole Role, int Seed)> Scenario =
        Gen.Select(ImagesGen, Gen.Int[1, 4], Gen.Enum<LabRole>(), Gen.Int);

    private static RetentionPlan PlanOf(CustomImageInfo[] images, int imagesToSave, LabRole role) =>
        RetentionPlanner.Plan(Input(imagesToSave, labs: [new LabImageSnapshot(Target, role, [Dc], images)], golden: [Dc, Sql, "Win2019/Core.json"]));

    [Fact]
    public void Property_each_image_is_decided_at_most_once_and_untagged_images_never()
    {
        Scenario.Sample(scenario =>
        {
            var plan = PlanOf(scenario.Images, scenario.ImagesToSave, scenario.Role);
            Assert.Equal(plan.Decisions.Count, plan.Decisions.Select(decision => decision.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
            var untagged = scenario.Images.Where(image => !image.Tags.ContainsKey("ImagePath")).Select(image => image.Id).ToHashSet();
            Assert.DoesNotContain(plan.Decisions, decision => untagged.Contains(decision.Id));
            Assert.All(plan.Decisions, decision => Assert.Equal(
                decision.Kind == RetentionDecisionKind.Delete,
                (decision.Reason & ~(RetentionReasons.Newest | RetentionReasons.InProgress)) != 0));
        });
    }

    [Fact]
    public void Property_a_subscribed_image_path_keeps_its_newest_n_and_expires_only_older_ones()
    {
        Scenario.Sample(scenario =>
        {
            var plan = PlanOf(scenario.Images, scenario.ImagesToSave, LabRole.Target);
            var group = plan.Decisions.Where(decision => ImagePathComparer.Instance.Equals(decision.ImagePath, Dc)).ToList();
            var ranked = group.Where(decision => decision.Reason != RetentionReasons.InProgress).ToList();
            var kept = ranked.Where(decision => decision.Kind == RetentionDecisionKind.Keep).ToList();
            var expired = ranked.Where(decision => decision.Kind == RetentionDecisionKind.Delete).ToList();
            Assert.Equal(Math.Min(scenario.ImagesToSave, ranked.Count), kept.Count);
            Assert.All(expired, decision => Assert.Equal(RetentionReasons.Expired, decision.Reason));
            foreach (var old in expired)
            {
                Assert.All(kept, young => Assert.True((young.Created ?? DateTimeOffset.MinValue) >= (old.Created ?? DateTimeOffset.MinValue)));
            }
        });
    }

    [Fact]
    public void Property_the_plan_does_not_depend_on_the_order_of_the_input()
    {
        Scenario.Sample(scenario =>
        {
            var shuffled = scenario.Images.ToArray();
            new Random(scenario.Seed).Shuffle(shuffled);
            static string Describe(RetentionPlan plan) =>
                string.Join("\n", plan.Decisions.Select(decision => $"{decision.Id} {decision.Kind} {decision.Reason}"));
            Assert.Equal(Describe(PlanOf(scenario.Images, scenario.ImagesToSave, scenario.Role)), Describe(PlanOf(shuffled, scenario.ImagesToSave, scenario.Role)));
        });
    }

    [Fact]
    public void Property_a_dropped_lab_keeps_no_factory_image_except_those_being_created()
    {
        Scenario.Sample(scenario =>
        {
            var plan = PlanOf(scenario.Images, scenario.ImagesToSave, LabRole.Dropped);
            Assert.All(plan.Kept, decision => Assert.Equal(RetentionReasons.InProgress, decision.Reason));
            Assert.All(plan.Deletions, decision => Assert.True(decision.Reason.HasFlag(RetentionReasons.LabDropped)));
        });
    }
}
