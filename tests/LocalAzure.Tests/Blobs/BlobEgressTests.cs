using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using LocalAzure.Blobs;

namespace LocalAzure.Tests.Blobs;

/// <summary>
/// A service of its own with an account egress cap: copies of different blobs out of one account share it. In the
/// blob collection so that its Azurite does not start at the same time as the fixture's.
/// </summary>
[Collection(BlobsTestGroup.Name)]
public sealed class BlobEgressTests
{
    private const long GiB = 1024L * 1024 * 1024;

    [Fact]
    public async Task Account_egress_cap_is_shared_by_copies_of_different_blobs()
    {
        var clock = new ScaledTestClock(realMillisecondsPerModelledMinute: 50);
        var tls = LocalAzure.Common.TlsMaterial.EnsureCreated(
            Environment.GetEnvironmentVariable("LOCALAZURE_TLS_DIR") is { Length: > 0 } directory ? directory : "/tmp/la-tls");
        await using var service = await BlobService.StartAsync(
            new BlobServiceOptions
            {
                Accounts = [new StorageAccountSeed("egress1", BlobServiceFixture.NewKey()), new StorageAccountSeed("egress2", BlobServiceFixture.NewKey())],
                Tls = tls,
                Clock = clock,
                Faults = new TestFaultInjector(),
                RequestLog = new TestRequestLog(),
                AccountEgressMiBPerSecond = 40,
            },
            CancellationToken.None);

        await service.CreatePageBlobAsync("egress1", "src", "a.vhd", 64 * 1024, 64 * GiB, null, CancellationToken.None);
        await service.CreatePageBlobAsync("egress1", "src", "b.vhd", 64 * 1024, 64 * GiB, null, CancellationToken.None);
        var target = new BlobServiceClient(
            service.GetAccountEndpoint("egress2"),
            new StorageSharedKeyCredential("egress2", service.GetAccountKey("egress2")),
            BlobServiceFixture.ClientOptions()).GetBlobContainerClient("dst");
        await target.CreateAsync();

        var first = await target.GetBlobClient("a.vhd").StartCopyFromUriAsync(
            service.GetReadSasUri("egress1", "src", "a.vhd", TimeSpan.FromDays(1)));
        var second = await target.GetBlobClient("b.vhd").StartCopyFromUriAsync(
            service.GetReadSasUri("egress1", "src", "b.vhd", TimeSpan.FromDays(1)));

        // 64 GiB at 20 MiB/s is ~55 modelled minutes (2.7 real seconds): both are still running here.
        var running = service.GetCopies();
        Assert.Equal(2, running.Count);
        Assert.All(running, c =>
        {
            Assert.Equal(BlobCopyState.Pending, c.Status);
            Assert.Equal(20, c.CurrentMiBPerSecond, 3);
        });
        Assert.Equal(CopyStatus.Pending, (await target.GetBlobClient("a.vhd").GetPropertiesAsync()).Value.CopyStatus);

        // Aborting one gives the other the whole cap (less than the page blob's 60 MiB/s).
        await target.GetBlobClient("a.vhd").AbortCopyFromUriAsync(first.Id);
        var remaining = Assert.Single(service.GetCopies(), c => c.Status == BlobCopyState.Pending);
        Assert.Equal(second.Id, remaining.CopyId);
        Assert.Equal(40, remaining.CurrentMiBPerSecond, 3);
    }
}
