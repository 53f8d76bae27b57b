using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using LocalAzure.Blobs;
using LocalAzure.Common;

namespace LocalAzure.Tests.Blobs;

/// <summary>Asynchronous copies through the front with the real SDK: progress, bandwidth sharing, abort, failure.</summary>
[Collection(BlobsTestGroup.Name)]
public sealed class BlobCopyTests(BlobServiceFixture fixture)
{
    private const long GiB = 1024L * 1024 * 1024;
    private const long MiB = 1024L * 1024;
    private const long RealSize = 4 * MiB;

    private BlobService Service => fixture.Service;

    [Fact]
    public async Task Copy_of_127GiB_page_blob_is_pending_with_growing_progress_then_succeeds()
    {
        var container = BlobServiceFixture.UniqueName("src");
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "disk.vhd", RealSize, 127 * GiB,
            new Dictionary<string, string> { ["origin"] = "seed" }, CancellationToken.None);
        var sas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromHours(2));

        var destination = await DestinationAsync("vhds", "copy-127.vhd");
        var operation = await destination.StartCopyFromUriAsync(sas);

        var first = (await destination.GetPropertiesAsync()).Value;
        Assert.Equal(CopyStatus.Pending, first.CopyStatus);
        Assert.Equal(operation.Id, first.CopyId);
        var progress = new List<long>();
        var properties = first;
        var stopwatch = Stopwatch.StartNew();
        while (properties.CopyStatus == CopyStatus.Pending && stopwatch.Elapsed < TimeSpan.FromSeconds(30))
        {
            var (copied, total) = ParseProgress(properties.CopyProgress);
            Assert.Equal(127 * GiB, total);
            progress.Add(copied);
            await Task.Delay(150);
            properties = (await destination.GetPropertiesAsync()).Value;
        }

        Assert.Equal(CopyStatus.Success, properties.CopyStatus);
        Assert.Equal($"{127 * GiB}/{127 * GiB}", properties.CopyProgress);
        Assert.NotEqual(default, properties.CopyCompletedOn);
        Assert.True(progress.Count >= 3, $"expected several pending polls, saw {progress.Count}");
        Assert.True(progress.Zip(progress.Skip(1)).All(pair => pair.Second >= pair.First), "progress must not go back");
        Assert.True(progress[^1] > progress[0], "progress must grow");
        Assert.Equal(RealSize, properties.ContentLength);
        Assert.Equal("seed", properties.Metadata["origin"]);
        Assert.Equal(127 * GiB, Service.GetModelledSize(BlobServiceFixture.Target, destination.BlobContainerName, destination.Name));

        // The SDK's own poller completes too (it is already done).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await operation.WaitForCompletionAsync(TimeSpan.FromMilliseconds(50), timeout.Token);
        Assert.True(operation.HasCompleted);

        // The model: 127 GiB at 60 MiB/s = 2167.5 modelled seconds.
        var copy = Assert.Single(Service.GetCopies(), c => c.CopyId == operation.Id);
        Assert.Equal(BlobCopyState.Success, copy.Status);
        Assert.Equal(127 * GiB, copy.BytesCopied);
        Assert.InRange(copy.Duration!.Value.TotalSeconds, 2167.5 * 0.99, 2167.5 * 1.01);

        // Real content arrived: the head matches the source's.
        var sourceClient = fixture.SharedKeyClient(BlobServiceFixture.Source).GetBlobContainerClient(container).GetBlobClient("disk.vhd");
        var expected = (await sourceClient.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(0, 4096) })).Value.Content.ToArray();
        var actual = (await destination.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(0, 4096) })).Value.Content.ToArray();
        Assert.Equal(expected, actual);
        Assert.Contains(actual, b => b != 0);

        // List Blobs with include=copy reports the modelled copy too.
        var listed = await ListWithCopyAsync(destination);
        Assert.Equal(CopyStatus.Success, listed.Properties.CopyStatus);
        Assert.Equal(operation.Id, listed.Properties.CopyId);
        Assert.Equal($"{127 * GiB}/{127 * GiB}", listed.Properties.CopyProgress);
    }

    [Fact]
    public async Task List_blobs_with_copy_shows_pending_copy()
    {
        var container = BlobServiceFixture.UniqueName("src");
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "disk.vhd", RealSize, 127 * GiB, null, CancellationToken.None);
        var sas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromHours(2));
        var destination = await DestinationAsync("vhds", "listed.vhd");
        var operation = await destination.StartCopyFromUriAsync(sas);

        var listed = await ListWithCopyAsync(destination);
        Assert.Equal(CopyStatus.Pending, listed.Properties.CopyStatus);
        Assert.Equal(operation.Id, listed.Properties.CopyId);
        Assert.EndsWith($"/{127 * GiB}", listed.Properties.CopyProgress, StringComparison.Ordinal);
        Assert.StartsWith(Service.GetAccountEndpoint(BlobServiceFixture.Source).ToString(), listed.Properties.CopySource.ToString(), StringComparison.Ordinal);

        await destination.AbortCopyFromUriAsync(operation.Id);
    }

    [Fact]
    public async Task Two_concurrent_copies_of_one_source_share_its_bandwidth()
    {
        const long size = 64 * GiB;
        var alone = BlobServiceFixture.UniqueName("alone");
        var shared = BlobServiceFixture.UniqueName("shared");
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, alone, "disk.vhd", RealSize, size, null, CancellationToken.None);
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, shared, "disk.vhd", RealSize, size, null, CancellationToken.None);

        var single = await DestinationAsync("vhds", "single.vhd");
        var singleCopy = await single.StartCopyFromUriAsync(
            Service.GetReadSasUri(BlobServiceFixture.Source, alone, "disk.vhd", TimeSpan.FromHours(4)));
        await WaitUntilNotPendingAsync(single);

        var sharedSas = Service.GetReadSasUri(BlobServiceFixture.Source, shared, "disk.vhd", TimeSpan.FromHours(4));
        var first = await DestinationAsync("vhds", "first.vhd");
        var second = await DestinationAsync("vhds", "second.vhd");
        var copies = await Task.WhenAll(first.StartCopyFromUriAsync(sharedSas), second.StartCopyFromUriAsync(sharedSas));

        // While both run, the model gives each half of the source's 60 MiB/s.
        var running = Service.GetCopies().Where(c => copies.Any(op => op.Id == c.CopyId)).ToList();
        Assert.Equal(2, running.Count);
        Assert.All(running, c =>
        {
            Assert.Equal(BlobCopyState.Pending, c.Status);
            Assert.Equal(30, c.CurrentMiBPerSecond, 3);
        });

        Assert.Equal(CopyStatus.Success, (await WaitUntilNotPendingAsync(first)).CopyStatus);
        Assert.Equal(CopyStatus.Success, (await WaitUntilNotPendingAsync(second)).CopyStatus);

        var snapshots = Service.GetCopies();
        var aloneDuration = snapshots.Single(c => c.CopyId == singleCopy.Id).Duration!.Value;
        var sharedDurations = copies.Select(op => snapshots.Single(c => c.CopyId == op.Id).Duration!.Value).ToList();
        Assert.InRange(aloneDuration.TotalSeconds, 1092 * 0.99, 1092 * 1.01);
        foreach (var duration in sharedDurations)
        {
            // About twice as long: the two started a few real milliseconds apart, so a little under 2.
            Assert.InRange(duration / aloneDuration, 1.3, 2.05);
        }

        // Together they used exactly the source's 60 MiB/s from the first start to the last end.
        var shared2 = snapshots.Where(c => copies.Any(op => op.Id == c.CopyId)).ToList();
        var span = shared2.Max(c => c.EndTime!.Value) - shared2.Min(c => c.StartTime);
        Assert.InRange(2d * size / MiB / span.TotalSeconds, 59.9, 60.1);
    }

    [Fact]
    public async Task Abort_leaves_an_empty_destination_and_releases_bandwidth()
    {
        var container = BlobServiceFixture.UniqueName("src");
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "disk.vhd", RealSize, 127 * GiB,
            new Dictionary<string, string> { ["kind"] = "os" }, CancellationToken.None);
        var sas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromHours(4));
        var kept = await DestinationAsync("vhds", "kept.vhd");
        var aborted = await DestinationAsync("vhds", "aborted.vhd");
        var keptCopy = await kept.StartCopyFromUriAsync(sas);
        var abortedCopy = await aborted.StartCopyFromUriAsync(sas);
        Assert.All(Service.GetCopies().Where(c => c.CopyId == keptCopy.Id || c.CopyId == abortedCopy.Id),
            c => Assert.Equal(30, c.CurrentMiBPerSecond, 3));

        await aborted.AbortCopyFromUriAsync(abortedCopy.Id);

        var properties = (await aborted.GetPropertiesAsync()).Value;
        Assert.Equal(CopyStatus.Aborted, properties.CopyStatus);
        Assert.Equal(abortedCopy.Id, properties.CopyId);
        Assert.Equal(0, properties.ContentLength);
        Assert.Equal("os", properties.Metadata["kind"]);
        Assert.Equal(BlobType.Page, properties.BlobType);
        var content = (await aborted.DownloadContentAsync()).Value.Content;
        Assert.Equal(0, content.ToMemory().Length);

        var snapshots = Service.GetCopies();
        Assert.Equal(BlobCopyState.Aborted, snapshots.Single(c => c.CopyId == abortedCopy.Id).Status);
        var keptSnapshot = snapshots.Single(c => c.CopyId == keptCopy.Id);
        Assert.Equal(BlobCopyState.Pending, keptSnapshot.Status);
        Assert.Equal(60, keptSnapshot.CurrentMiBPerSecond, 3);

        // Aborting again: nothing pending.
        var again = await Assert.ThrowsAsync<RequestFailedException>(() => aborted.AbortCopyFromUriAsync(abortedCopy.Id));
        Assert.Equal(409, again.Status);
        Assert.Equal("NoPendingCopyOperation", again.ErrorCode);

        // A finished copy cannot be aborted either.
        await WaitUntilNotPendingAsync(kept);
        var finished = await Assert.ThrowsAsync<RequestFailedException>(() => kept.AbortCopyFromUriAsync(keptCopy.Id));
        Assert.Equal(409, finished.Status);
        Assert.Equal("NoPendingCopyOperation", finished.ErrorCode);
    }

    [Fact]
    public async Task Copy_failing_midway_ends_failed_with_no_content()
    {
        var container = BlobServiceFixture.UniqueName("src");
        var destinationContainer = BlobServiceFixture.UniqueName("failing");
        fixture.Faults.Add(new FaultRule("Blob.StartCopy", "^/acct2/" + destinationContainer + "/", FaultKind.CopyFailedMidway));
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "disk.vhd", RealSize, 127 * GiB, null, CancellationToken.None);
        var sas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromHours(4));
        var destination = await DestinationAsync(destinationContainer, "broken.vhd", exactContainer: true);

        var operation = await destination.StartCopyFromUriAsync(sas);
        var first = (await destination.GetPropertiesAsync()).Value;
        Assert.Equal(CopyStatus.Pending, first.CopyStatus);

        var final = await WaitUntilNotPendingAsync(destination);
        Assert.Equal(CopyStatus.Failed, final.CopyStatus);
        Assert.False(string.IsNullOrEmpty(final.CopyStatusDescription));
        Assert.Equal($"{127 * GiB / 2}/{127 * GiB}", final.CopyProgress);
        Assert.NotEqual(default, final.CopyCompletedOn);

        // Give the front's settle step a moment, then the destination has no content.
        var emptied = await PollAsync(async () => (await destination.GetPropertiesAsync()).Value, p => p.ContentLength == 0);
        Assert.Equal(CopyStatus.Failed, emptied.CopyStatus);
        Assert.Equal(0, (await destination.DownloadContentAsync()).Value.Content.ToMemory().Length);

        var copy = Service.GetCopies().Single(c => c.CopyId == operation.Id);
        Assert.Equal(BlobCopyState.Failed, copy.Status);
        Assert.Equal(127 * GiB / 2, copy.BytesCopied);
        var listed = await Service.ListBlobsAsync(BlobServiceFixture.Target, destinationContainer, CancellationToken.None);
        var item = Assert.Single(listed);
        Assert.Equal(BlobCopyState.Failed, item.CopyStatus);
        Assert.Equal(0, item.RealLength);
    }

    [Fact]
    public async Task Revoking_the_source_sas_fails_a_pending_copy()
    {
        var container = BlobServiceFixture.UniqueName("src");
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "disk.vhd", RealSize, 127 * GiB, null, CancellationToken.None);
        var sas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromHours(4));
        var destination = await DestinationAsync("vhds", "revoked-source.vhd");
        await destination.StartCopyFromUriAsync(sas);

        Service.RevokeSas(BlobServiceFixture.Source, container, "disk.vhd");

        var final = await WaitUntilNotPendingAsync(destination);
        Assert.Equal(CopyStatus.Failed, final.CopyStatus);
        Assert.Contains("403", final.CopyStatusDescription, StringComparison.Ordinal);

        // A new copy with the revoked SAS is refused; a new grant works.
        var again = await DestinationAsync("vhds", "revoked-again.vhd");
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => again.StartCopyFromUriAsync(sas));
        Assert.Equal(403, refused.Status);
        Assert.Equal("CannotVerifyCopySource", refused.ErrorCode);
        var fresh = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromHours(5));
        var operation = await again.StartCopyFromUriAsync(fresh);
        Assert.Equal(CopyStatus.Pending, (await again.GetPropertiesAsync()).Value.CopyStatus);
        await again.AbortCopyFromUriAsync(operation.Id);
    }

    [Fact]
    public async Task Copy_fails_when_the_source_sas_expires_before_it_completes()
    {
        var container = BlobServiceFixture.UniqueName("src");
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "disk.vhd", RealSize, 127 * GiB, null, CancellationToken.None);
        // 10 modelled minutes of access for a ~36 modelled minute copy.
        var granted = fixture.Clock.UtcNow;
        var sas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromMinutes(10));
        var destination = await DestinationAsync("vhds", "expired-source.vhd");
        var operation = await destination.StartCopyFromUriAsync(sas);

        var final = await WaitUntilNotPendingAsync(destination);
        Assert.Equal(CopyStatus.Failed, final.CopyStatus);
        Assert.Contains("expired", final.CopyStatusDescription, StringComparison.Ordinal);
        var copy = Service.GetCopies().Single(c => c.CopyId == operation.Id);
        Assert.Equal(BlobCopyState.Failed, copy.Status);
        // It ends when the grant ends (10 modelled minutes after it), having copied at 60 MiB/s since it started.
        // The grant's expiry is fixed in real time when the SAS is issued, a few real milliseconds after `granted`
        // was read; on a loaded machine that is a fraction of a modelled minute, hence the upper margin.
        Assert.InRange((copy.EndTime!.Value - granted).TotalMinutes, 9.999, 10.5);
        var expected = 60d * MiB * copy.Duration!.Value.TotalSeconds;
        Assert.InRange(copy.BytesCopied, expected * 0.999, expected * 1.001);
    }

    [Fact]
    public async Task A_second_copy_onto_a_pending_destination_is_refused()
    {
        var container = BlobServiceFixture.UniqueName("src");
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "disk.vhd", RealSize, 127 * GiB, null, CancellationToken.None);
        var sas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromHours(4));
        var destination = await DestinationAsync("vhds", "busy.vhd");
        var operation = await destination.StartCopyFromUriAsync(sas);

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => destination.StartCopyFromUriAsync(sas));
        Assert.Equal(409, refused.Status);
        Assert.Equal("PendingCopyOperation", refused.ErrorCode);
        await destination.AbortCopyFromUriAsync(operation.Id);
    }

    internal static (long Copied, long Total) ParseProgress(string progress)
    {
        var parts = progress.Split('/');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private async Task<BlobClient> DestinationAsync(string container, string blob, bool exactContainer = false)
    {
        var name = exactContainer ? container : BlobServiceFixture.UniqueName(container);
        var client = fixture.SharedKeyClient(BlobServiceFixture.Target).GetBlobContainerClient(name);
        await client.CreateIfNotExistsAsync();
        return client.GetBlobClient(blob);
    }

    private static async Task<BlobItem> ListWithCopyAsync(BlobClient blob)
    {
        var container = blob.GetParentBlobContainerClient();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.CopyStatus }))
        {
            if (item.Name == blob.Name)
            {
                return item;
            }
        }

        throw new InvalidOperationException("blob not listed");
    }

    private static Task<BlobProperties> WaitUntilNotPendingAsync(BlobClient blob) =>
        PollAsync(async () => (await blob.GetPropertiesAsync()).Value, p => p.CopyStatus != CopyStatus.Pending);

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (stopwatch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("condition not met in 30 s");
            }

            await Task.Delay(50);
        }
    }
}
