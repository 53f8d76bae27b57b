using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Tests.Fakes;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Tests.Vhds;

public sealed class LabLocatorTests
{
    private readonly FakeLabGateway labs = new FakeLabGateway()
        .AddLab(FakeLabGateway.Lab("Factory", "rg-factory"))
        .AddLab(FakeLabGateway.Lab("Shared", "rg-east"))
        .AddLab(FakeLabGateway.Lab("shared", "rg-west"))
        .AddLab(FakeLabGateway.Lab("Factory", "rg-other-sub", subscriptionId: "sub-2"));

    [Fact]
    public async Task Finds_a_lab_in_its_resource_group_without_listing_the_subscription()
    {
        var lab = await LabLocator.FindAsync(labs, "sub-1", "Shared", "rg-west", CancellationToken.None);

        Assert.Equal("rg-west", lab.ResourceGroup);
        Assert.Equal(["GetLab sub-1/rg-west/Shared"], labs.Calls);
    }

    [Fact]
    public async Task A_lab_missing_from_its_resource_group_names_the_lab_group_and_subscription()
    {
        var error = await Assert.ThrowsAsync<LabNotFoundException>(
            () => LabLocator.FindAsync(labs, "sub-1", "Factory", "rg-east", CancellationToken.None));

        Assert.Contains("'Factory'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'rg-east'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sub-1'", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsAmbiguous);
        Assert.Equal(("LabNotFound", FailureCategory.ObjectNotFound), FailureClassifier.Classify(error));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Without_a_resource_group_one_match_across_the_subscription_is_found(string? resourceGroup)
    {
        var lab = await LabLocator.FindAsync(labs, "sub-1", "Factory", resourceGroup, CancellationToken.None);

        Assert.Equal("rg-factory", lab.ResourceGroup);
        Assert.Equal("sub-1", lab.SubscriptionId);
        Assert.Equal(["ListLabs sub-1"], labs.Calls);
    }

    [Fact]
    public async Task The_name_is_matched_case_insensitively()
    {
        var lab = await LabLocator.FindAsync(labs, "sub-1", "FACTORY", null, CancellationToken.None);

        Assert.Equal("Factory", lab.Name);
    }

    [Fact]
    public async Task No_match_names_the_lab_and_the_subscription_searched()
    {
        var error = await Assert.ThrowsAsync<LabNotFoundException>(
            () => LabLocator.FindAsync(labs, "sub-1", "Nowhere", null, CancellationToken.None));

        Assert.Contains("'Nowhere'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sub-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("all resource groups", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsAmbiguous);
    }

    [Fact]
    public async Task Two_matches_differing_only_in_case_are_ambiguous_and_name_both_resource_groups()
    {
        var error = await Assert.ThrowsAsync<LabNotFoundException>(
            () => LabLocator.FindAsync(labs, "sub-1", "SHARED", null, CancellationToken.None));

        Assert.True(error.IsAmbiguous);
        Assert.Contains("'SHARED'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sub-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'rg-east'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'rg-west'", error.Message, StringComparison.Ordinal);
        Assert.Contains("-ResourceGroupName", error.Message, StringComparison.Ordinal);
        Assert.Equal(("LabNameAmbiguous", FailureCategory.InvalidArgument), FailureClassifier.Classify(error));
    }
}
