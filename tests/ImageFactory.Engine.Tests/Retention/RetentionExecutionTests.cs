using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Retention;
using ImageFactory.Engine.Vhds;
using static ImageFactory.Engine.Tests.Retention.RetentionLabGateway;

namespace ImageFactory.Engine.Tests.Retention;

public sealed class RetentionExecutionTests
{
    private const string Dc = "Win2016/Datacenter.json";
    private const string Sql = "Win2016/SQLServer 2016 Express.json";
    private static readonly DateTimeOffset Day0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset DayOf(int day) => Day0.AddDays(day);

    private static async Task<(RetentionSurvey Survey, RetentionPlan Plan)> SurveyAndPlanAsync(
        RetentionLabGateway labs, RetentionBlobContainer store, FactoryConfiguration configuration, int imagesToSave, params LabReference[] dropped)
    {
        var surveyor = new RetentionSurveyor(labs, store);
        var survey = await surveyor.SurveyAsync(configuration, new LabReference("sub-1", null, "Factory"), dropped, imagesToSave, 4, new FixedTime(DayOf(60)), CancellationToken.None);
        return (survey, RetentionPlanner.Plan(survey.Input));
    }

    [Fact]
    public async Task Survey_lists_labs_once_per_subscription_and_reads_each_lab_once()
    {
        var factory = Lab("Factory");
        var a = Lab("A");
        var b = Lab("B", resourceGroup: "rg-b");
        var c = Lab("C", "sub-2");
        var labs = new RetentionLabGateway().Add(factory).Add(a).Add(b).Add(c);
        var configuration = RetentionConfigurations.Build([Dc], (a, [Dc], false), (b, [Dc], true), (c, [Dc], false), (factory, [Dc], false));

        var (survey, _) = await SurveyAndPlanAsync(labs, new RetentionBlobContainer(), configuration, 1);

        Assert.Empty(survey.Problems);
        Assert.Equal(1, labs.CallCount("ListLabs sub-1"));
        Assert.Equal(1, labs.CallCount("ListLabs sub-2"));
        Assert.Equal(0, labs.CallCount("GetLab"));
        Assert.Equal(4, labs.CallCount("ListImages"));
        Assert.Equal(1, labs.CallCount("ListImages Factory"));
        Assert.Contains(survey.Verbose, message => message.Contains("is the factory lab", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Labs_not_found_or_not_readable_are_problems_of_their_own_and_the_others_proceed()
    {
        var factory = Lab("Factory");
        var present = Lab("Present");
        var unreadable = Lab("Unreadable");
        var forbidden = Lab("Forbidden", "sub-3");
        var labs = new RetentionLabGateway()
            .Add(factory)
            .Add(present, Image(present, "dc-old", Dc, DayOf(1)), Image(present, "dc-new", Dc, DayOf(2)))
            .Add(unreadable, Image(unreadable, "dc", Dc, DayOf(1)))
            .Add(forbidden);
        labs.Failures["sub-3"] = new AzureRequestException(403, "AuthorizationFailed", "no access", "GET", "/subscriptions/sub-3");
        labs.Failures[unreadable.Id] = new AzureRequestException(500, "InternalServerError", "boom", "GET", unreadable.Id);
        var configuration = RetentionConfigurations.Build([Dc], (present, [Dc], false), (Lab("Missing"), [Dc], false), (unreadable, [Dc], false), (forbidden, [Dc], false));

        var (survey, plan) = await SurveyAndPlanAsync(labs, new RetentionBlobContainer(), configuration, 1);

        Assert.Equal(["AzureAccessDenied", "AzureRequestFailed", "LabNotFound"], survey.Problems.Select(problem => problem.ErrorId).Order(StringComparer.Ordinal));
        Assert.Contains(survey.Problems, problem => problem.Target is LabTarget { LabName: "Missing" });
        Assert.Contains(survey.Problems, problem => problem.Target is LabInfo { Name: "Unreadable" });
        Assert.Equal("dc-old", Assert.Single(plan.Deletions).Name);
    }

    [Fact]
    public async Task A_factory_lab_that_cannot_be_found_stops_the_survey()
    {
        var labs = new RetentionLabGateway().Add(Lab("Other"));
        await Assert.ThrowsAsync<LabNotFoundException>(() =>
            SurveyAndPlanAsync(labs, new RetentionBlobContainer(), RetentionConfigurations.Build([Dc]), 1));
    }

    [Fact]
    public async Task A_dropped_lab_still_in_labs_json_is_refused_and_a_real_one_is_cleaned()
    {
        var factory = Lab("Factory");
        var kept = Lab("Kept");
        var gone = Lab("Gone", "sub-2", "rg-gone");
        var labs = new RetentionLabGateway()
            .Add(factory)
            .Add(kept, Image(kept, "dc", Dc, DayOf(1)))
            .Add(gone, Image(gone, "dc", Dc, DayOf(1)), Image(gone, "own", null, DayOf(1)));
        var configuration = RetentionConfigurations.Build([Dc], (kept, [Dc], false));

        var (survey, plan) = await SurveyAndPlanAsync(labs, new RetentionBlobContainer(), configuration, 1,
            LabReference.Parse("Kept", "sub-1"), LabReference.Parse("Factory", "sub-1"), LabReference.Parse(gone.Id, "sub-1"), new LabReference("sub-2", null, "Gone"));

        Assert.Equal(2, survey.Problems.Count(problem => problem.ErrorId == "DroppedLabStillConfigured"));
        var deletion = Assert.Single(plan.Deletions);
        Assert.Equal(gone.Id + "/customimages/dc", deletion.Id);
        Assert.Equal(RetentionReasons.LabDropped, deletion.Reason);
    }

    [Theory]
    [InlineData("Lab1", "sub-default", null, "Lab1")]
    [InlineData(" Lab1 ", "sub-default", null, "Lab1")]
    [InlineData("b4e8d2f1-7a6c-4f3e-8d29-51c0e7a9b6d4/Lab1", "b4e8d2f1-7a6c-4f3e-8d29-51c0e7a9b6d4", null, "Lab1")]
    [InlineData("b4e8d2f1-7a6c-4f3e-8d29-51c0e7a9b6d4/rg-y/Lab1", "b4e8d2f1-7a6c-4f3e-8d29-51c0e7a9b6d4", "rg-y", "Lab1")]
    [InlineData("/subscriptions/sub-x/resourceGroups/rg-y/providers/Microsoft.DevTestLab/labs/Lab1", "sub-x", "rg-y", "Lab1")]
    public void Lab_references_are_parsed(string text, string subscription, string? group, string name)
    {
        Assert.Equal(new LabReference(subscription, group, name), LabReference.Parse(text, "sub-default"));
    }

    [Theory]
    [InlineData("a/b/c/d")]
    [InlineData("rg-y/Lab1")]
    [InlineData("not-a-guid/rg-y/Lab1")]
    [InlineData("/subscriptions/sub-x/providers/Microsoft.DevTestLab/labs")]
    public void Malformed_lab_references_are_refused(string text)
    {
        Assert.Throws<FormatException>(() => LabReference.Parse(text, "sub-default"));
    }

    [Fact]
    public async Task Store_survey_protects_unreadable_records_and_finds_orphans()
    {
        var labs = new RetentionLabGateway().Add(Lab("Factory"));
        var store = new RetentionBlobContainer()
            .SeedSaved("a", Dc, DayOf(1))
            .SeedSaved("b", Dc, DayOf(2))
            .Seed("broken.vhd", modified: DayOf(1)).Seed("broken.json", "{ not json", DayOf(1))
            .Seed("lonely.vhd", modified: DayOf(1))
            .Seed("dangling.json", new VhdRecord("x", Dc, null, "Windows", "missing.vhd", DayOf(1), true).ToJson(), DayOf(1));

        var (survey, plan) = await SurveyAndPlanAsync(labs, store, RetentionConfigurations.Build([Dc]), 1);

        Assert.Single(survey.Warnings);
        Assert.Equal(1, store.Lists);
        Assert.Equal(["a-image", "dangling.json", "lonely.vhd"], plan.Deletions.Select(decision => decision.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(plan.Decisions, decision => decision.Name.StartsWith("broken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_store_that_cannot_be_read_is_a_problem_and_the_labs_are_still_retired()
    {
        var factory = Lab("Factory");
        var labs = new RetentionLabGateway().Add(factory, Image(factory, "dc-old", Dc, DayOf(1)), Image(factory, "dc-new", Dc, DayOf(2)));
        var store = new RetentionBlobContainer { OpenFailure = new AzureRequestException(403, "AuthorizationFailed", "listKeys denied", "POST", "listKeys") };
        store.SeedSaved("a", Dc, DayOf(1)).SeedSaved("b", Dc, DayOf(2));

        var (survey, plan) = await SurveyAndPlanAsync(labs, store, RetentionConfigurations.Build([Dc]), 1);

        var problem = Assert.Single(survey.Problems);
        Assert.Equal("AzureAccessDenied", problem.ErrorId);
        Assert.Contains("factory store", problem.Exception.Message, StringComparison.Ordinal);
        Assert.Null(survey.Store);
        Assert.Equal("dc-old", Assert.Single(plan.Deletions).Name);
        Assert.DoesNotContain(plan.Decisions, decision => decision.Location == RetentionLocation.FactoryStore);
    }

    [Fact]
    public async Task Store_pairs_are_deleted_record_first_and_a_failure_leaves_the_vhd()
    {
        var labs = new RetentionLabGateway().Add(Lab("Factory"));
        var store = new RetentionBlobContainer().SeedSaved("a", Dc, DayOf(1)).SeedSaved("b", Dc, DayOf(2)).SeedSaved("c", Dc, DayOf(3)).SeedSaved("d", Dc, DayOf(4));
        store.DeleteFailures["b.json"] = new global::Azure.RequestFailedException(503, "unavailable");
        var (survey, plan) = await SurveyAndPlanAsync(labs, store, RetentionConfigurations.Build([Dc]), 2);
        var sink = new RetentionSink();

        await new RetentionExecutor(labs).DeleteAsync([.. plan.Deletions], survey.Store!.Container, 1, sink, CancellationToken.None);

        Assert.Equal(["a.json", "a.vhd"], store.Deletes);
        Assert.Equal(["b.json", "b.vhd", "c.json", "c.vhd", "d.json", "d.vhd"], store.Names);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("StorageRequestFailed", error.ErrorId);
        Assert.Equal(RetentionAction.Failed, Assert.IsType<ImageRetentionResult>(error.Target).Action);
        Assert.Equal(
            [("a-image", RetentionAction.Deleted), ("b-image", RetentionAction.Failed)],
            sink.Results<ImageRetentionResult>().Select(result => (result.Name, result.Action)).OrderBy(pair => pair.Name));
    }

    [Fact]
    public async Task A_409_and_a_failed_long_running_operation_are_reported_per_image_while_the_rest_proceeds()
    {
        var target = Lab("Target");
        var images = Enumerable.Range(1, 8).Select(day => Image(target, $"dc-{day}", Dc, DayOf(day))).ToArray();
        var labs = new RetentionLabGateway().Add(Lab("Factory")).Add(target, images);
        labs.Failures[images[0].Id] = new AzureRequestException(409, "Conflict", "The custom image is in use by a VM being created.", "DELETE", images[0].Id);
        labs.Failures[images[1].Id] = new AzureRequestException(0, "InternalOperationError", "The operation failed.", "LRO", images[1].Id);
        var (survey, plan) = await SurveyAndPlanAsync(labs, new RetentionBlobContainer(), RetentionConfigurations.Build([Dc], (target, [Dc], false)), 2);
        var sink = new RetentionSink();

        await new RetentionExecutor(labs).DeleteAsync([.. plan.Deletions], survey.Store?.Container, 3, sink, CancellationToken.None);

        Assert.Equal(["AzureConflict", "AzureOperationFailed"], sink.Errors.Select(error => error.ErrorId).Order(StringComparer.Ordinal));
        Assert.Contains(sink.Errors, error => error.Category == FailureCategory.ResourceBusy && ((ImageRetentionResult)error.Target!).Name == "dc-1");
        var results = sink.Results<ImageRetentionResult>();
        Assert.Equal(4, results.Count(result => result.Action == RetentionAction.Deleted));
        Assert.Equal(2, results.Count(result => result.Action == RetentionAction.Failed));
        Assert.Equal(["dc-1", "dc-2", "dc-7", "dc-8"], labs.Images[target.Id].Select(image => image.Name).Order(StringComparer.Ordinal));
        Assert.InRange(labs.MaxConcurrentDeletes, 2, 3);
    }

    [Fact]
    public async Task An_image_given_twice_is_deleted_once_and_one_already_gone_counts_as_deleted()
    {
        var target = Lab("Target");
        var labs = new RetentionLabGateway().Add(target, Image(target, "old", Dc, DayOf(1)));
        var decision = new RetentionDecision
        {
            Location = RetentionLocation.Lab, Lab = target, Name = "old", ImagePath = Dc, Id = target.Id + "/customimages/old",
            Kind = RetentionDecisionKind.Delete, Reason = RetentionReasons.Expired, Details = "expired",
        };
        var ghost = new RetentionDecision
        {
            Location = RetentionLocation.Lab, Lab = target, Name = "ghost", ImagePath = Dc, Id = target.Id + "/customimages/ghost",
            Kind = RetentionDecisionKind.Delete, Reason = RetentionReasons.Expired, Details = "expired",
        };
        var sink = new RetentionSink();

        await new RetentionExecutor(labs).DeleteAsync([decision, decision, ghost], null, 4, sink, CancellationToken.None);

        Assert.Equal(2, labs.CallCount("DeleteImage"));
        Assert.All(sink.Results<ImageRetentionResult>(), result => Assert.Equal(RetentionAction.Deleted, result.Action));
        Assert.Contains("already gone", sink.Results<ImageRetentionResult>().Single(result => result.Name == "ghost").Details, StringComparison.Ordinal);
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public async Task Cancellation_stops_new_deletions_and_throws_once_the_running_ones_end()
    {
        var target = Lab("Target");
        var images = Enumerable.Range(1, 10).Select(day => Image(target, $"dc-{day}", Dc, DayOf(day))).ToArray();
        var labs = new RetentionLabGateway { DeleteDelay = TimeSpan.FromMilliseconds(100) }.Add(Lab("Factory")).Add(target, images);
        var (_, plan) = await SurveyAndPlanAsync(labs, new RetentionBlobContainer(), RetentionConfigurations.Build([Dc], (target, [Dc], false)), 1);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new RetentionExecutor(labs).DeleteAsync([.. plan.Deletions], null, 2, new RetentionSink(), cancellation.Token));

        Assert.InRange(labs.CallCount("DeleteImage"), 2, 6);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
