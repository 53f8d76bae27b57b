using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Tests.Fakes;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Tests.Vhds;

public sealed class VhdStoreTests
{
    private readonly LabInfo lab = FakeLabGateway.Lab("Factory", "rg-factory");
    private readonly FakeBlobGatewayFactory blobs = new();
    private readonly FakeBlobContainer container;

    public VhdStoreTests()
    {
        container = blobs.Add(lab.ArtifactsStorageAccountId!, VhdStore.ContainerName, new FakeBlobContainer());
    }

    [Fact]
    public async Task Lists_readable_records_with_their_vhd_newest_first_within_each_image_path()
    {
        container
            .Seed("a.vhd", length: 10).Seed("a.json", VhdRecordTests.OriginalRecord(imagePath: "B/b.json", vhdFileName: "a.vhd", timestamp: "11/20/2026 1:00:00 PM", imageName: "B_b-Nov-20-2026"))
            .Seed("b.vhd", length: 10).Seed("b.json", VhdRecordTests.OriginalRecord(imagePath: "B/b.json", vhdFileName: "b.vhd", timestamp: "2026-11-25T10:00:00Z", imageName: "B_b-Nov-25-2026"))
            .Seed("c.vhd", length: 10).Seed("c.json", VhdRecordTests.OriginalRecord(imagePath: "a/a.json", vhdFileName: "c.vhd", imageName: "a_a-Nov-25-2026"))
            .Seed("orphan.json", VhdRecordTests.OriginalRecord(vhdFileName: "gone.vhd"))
            .Seed("broken.json", "{ not json")
            .Seed("lonely.vhd", length: 10);
        var store = await VhdStore.OpenAsync(blobs, lab, CancellationToken.None);
        var problems = new List<string>();

        var saved = await store.ListAsync(problems.Add, CancellationToken.None);

        Assert.Equal(["a_a-Nov-25-2026", "B_b-Nov-25-2026", "B_b-Nov-20-2026"], saved.Select(vhd => vhd.ImageName));
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, problem => problem.Contains("'broken.json'", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("'gone.vhd'", StringComparison.Ordinal));

        var first = saved[0];
        Assert.Equal("c.json", first.RecordFileName);
        Assert.Equal("c", first.SourceId);
        Assert.Equal("Factory", first.LabName);
        Assert.Equal(container.GetBlobUri("c.vhd"), first.VhdUri);
        Assert.False(first.Specialized);
    }

    [Fact]
    public async Task The_store_is_in_the_artifacts_account_or_else_the_default_one()
    {
        _ = await VhdStore.OpenAsync(blobs, lab with { ArtifactsStorageAccountId = null }, CancellationToken.None);

        Assert.Equal([(lab.DefaultStorageAccountId!, "imagefactoryvhds")], blobs.Opened);
    }

    [Fact]
    public async Task A_lab_without_storage_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => VhdStore.OpenAsync(blobs, lab with { ArtifactsStorageAccountId = null, DefaultStorageAccountId = null }, CancellationToken.None));

        Assert.Contains("'Factory'", error.Message, StringComparison.Ordinal);
    }
}
