using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using LocalAzure.Blobs;
using LocalAzure.Common;
using Xunit.Abstractions;

namespace LocalAzure.Tests.Blobs;

/// <summary>The front as a transparent proxy: shared key and SAS, revocation, faults, request log, start time.</summary>
[Collection(BlobsTestGroup.Name)]
public sealed class BlobFrontTests(BlobServiceFixture fixture, ITestOutputHelper output)
{
    private BlobService Service => fixture.Service;

    [Fact]
    public void Start_time_is_reported_and_bounded()
    {
        output.WriteLine($"BlobService.StartAsync (Azurite listening + front listening): {fixture.StartDuration.TotalMilliseconds:0} ms; "
            + $"Azurite answering after {Service.AzuriteReadyAfter.TotalMilliseconds:0} ms; service's own measure {Service.StartDuration.TotalMilliseconds:0} ms");
        // Unloaded, this is 1.2-2 s (Azurite's node start is ~1 s of it); the bound is generous because the test
        // machine may be shared (2 cores), it only catches hangs. The 10 s budget is for the whole local Azure.
        Assert.True(fixture.StartDuration < TimeSpan.FromSeconds(30), $"took {fixture.StartDuration}");
        Assert.Equal($"https://127.0.0.1:{Service.Port}/acct1/", Service.GetAccountEndpoint("acct1").ToString());
        Assert.NotEqual(Service.Port, Service.AzuritePort);
    }

    [Fact]
    public async Task Shared_key_upload_and_download_round_trip()
    {
        var container = fixture.SharedKeyClient(BlobServiceFixture.Source).GetBlobContainerClient(BlobServiceFixture.UniqueName("rt"));
        await container.CreateAsync();

        var data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(data);
        var block = container.GetBlobClient("folder/data file.bin");
        await block.UploadAsync(new BinaryData(data), overwrite: true);
        var downloaded = (await block.DownloadContentAsync()).Value;
        Assert.Equal(data, downloaded.Content.ToArray());
        Assert.Equal(data.Length, Service.GetModelledSize(BlobServiceFixture.Source, container.Name, "folder/data file.bin"));

        var page = container.GetPageBlobClient("disk.vhd");
        await page.CreateAsync(1024 * 1024);
        var pageData = new byte[8192];
        new Random(7).NextBytes(pageData);
        using (var stream = new MemoryStream(pageData))
        {
            await page.UploadPagesAsync(stream, 4096);
        }

        var range = (await page.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(4096, 8192) })).Value;
        Assert.Equal(pageData, range.Content.ToArray());
        var properties = (await page.GetPropertiesAsync()).Value;
        Assert.Equal(BlobType.Page, properties.BlobType);
        Assert.Equal(1024 * 1024, properties.ContentLength);
        Assert.Equal(1024 * 1024, Service.GetModelledSize(BlobServiceFixture.Source, container.Name, "disk.vhd"));

        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync())
        {
            names.Add(item.Name);
        }

        Assert.Equal(["disk.vhd", "folder/data file.bin"], names.Order(StringComparer.Ordinal));

        await block.DeleteAsync();
        Assert.False((await block.ExistsAsync()).Value);
        Assert.Null(Service.GetModelledSize(BlobServiceFixture.Source, container.Name, "folder/data file.bin"));
    }

    [Fact]
    public async Task Seeded_blobs_are_listed_with_real_and_modelled_sizes()
    {
        var container = BlobServiceFixture.UniqueName("seed");
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "a.vhd", 1024 * 1024, 30L << 30, null, CancellationToken.None);
        await Service.CreateBlockBlobAsync(BlobServiceFixture.Source, container, "a.json", BinaryData.FromString("{\"x\":1}"), CancellationToken.None);

        var items = await Service.ListBlobsAsync(BlobServiceFixture.Source, container, CancellationToken.None);
        var vhd = Assert.Single(items, i => i.Name == "a.vhd");
        Assert.Equal("Page", vhd.BlobType);
        Assert.Equal(1024 * 1024, vhd.RealLength);
        Assert.Equal(30L << 30, vhd.ModelledLength);
        Assert.Null(vhd.CopyStatus);
        var json = Assert.Single(items, i => i.Name == "a.json");
        Assert.Equal("Block", json.BlobType);
        Assert.Equal(7, json.ModelledLength);

        var all = await Service.ListBlobsAsync(BlobServiceFixture.Source, null, CancellationToken.None);
        Assert.Contains(all, i => i.Container == container && i.Name == "a.vhd");

        // The modelled size shows as a diagnostic header; the real length is what the SDK sees.
        var client = fixture.SharedKeyClient(BlobServiceFixture.Source).GetBlobContainerClient(container).GetBlobClient("a.vhd");
        var response = await client.GetPropertiesAsync();
        Assert.Equal(1024 * 1024, response.Value.ContentLength);
        Assert.True(response.GetRawResponse().Headers.TryGetValue("x-localazure-modelled-length", out var modelled));
        Assert.Equal((30L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), modelled);
    }

    [Fact]
    public async Task Revoked_sas_gets_403_while_other_grants_and_shared_key_still_work()
    {
        var container = BlobServiceFixture.UniqueName("rev");
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "disk.vhd", 64 * 1024, 1L << 30, null, CancellationToken.None);
        await Service.CreatePageBlobAsync(BlobServiceFixture.Source, container, "other.vhd", 64 * 1024, 1L << 30, null, CancellationToken.None);
        var revokedSas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromHours(1));
        var otherSas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "other.vhd", TimeSpan.FromHours(1));
        var options = BlobServiceFixture.ClientOptions(maxRetries: 0);

        var viaSas = new BlobClient(revokedSas, options);
        Assert.Equal(64 * 1024, (await viaSas.GetPropertiesAsync()).Value.ContentLength);
        var write = await Assert.ThrowsAsync<RequestFailedException>(() => viaSas.DeleteAsync());
        Assert.Equal(403, write.Status);

        Service.RevokeSas(BlobServiceFixture.Source, container, "disk.vhd");

        var denied = await Assert.ThrowsAsync<RequestFailedException>(() => viaSas.DownloadContentAsync());
        Assert.Equal(403, denied.Status);
        Assert.Equal("AuthenticationFailed", denied.ErrorCode);
        var deniedHead = await Assert.ThrowsAsync<RequestFailedException>(() => viaSas.GetPropertiesAsync());
        Assert.Equal(403, deniedHead.Status);

        // Another blob's grant still works, as does shared key on the revoked blob.
        Assert.Equal(64 * 1024, (await new BlobClient(otherSas, options).DownloadContentAsync()).Value.Content.ToMemory().Length);
        var sharedKey = fixture.SharedKeyClient(BlobServiceFixture.Source).GetBlobContainerClient(container).GetBlobClient("disk.vhd");
        Assert.Equal(64 * 1024, (await sharedKey.DownloadContentAsync()).Value.Content.ToMemory().Length);

        // A new grant after the revocation works.
        var fresh = Service.GetReadSasUri(BlobServiceFixture.Source, container, "disk.vhd", TimeSpan.FromHours(3));
        Assert.NotEqual(revokedSas, fresh);
        Assert.Equal(64 * 1024, (await new BlobClient(fresh, options).DownloadContentAsync()).Value.Content.ToMemory().Length);
    }

    [Fact]
    public async Task Write_sas_uploads_until_revoked()
    {
        var container = BlobServiceFixture.UniqueName("up");
        await fixture.SharedKeyClient(BlobServiceFixture.Target).GetBlobContainerClient(container).CreateAsync();
        var sas = Service.GetSasUri(BlobServiceFixture.Target, container, "image.vhd",
            Azure.Storage.Sas.BlobSasPermissions.Create | Azure.Storage.Sas.BlobSasPermissions.Write | Azure.Storage.Sas.BlobSasPermissions.Read,
            TimeSpan.FromHours(1));
        Assert.Contains("spr=https", sas.Query, StringComparison.Ordinal);
        var page = new PageBlobClient(sas, BlobServiceFixture.ClientOptions(maxRetries: 0));
        await page.CreateAsync(64 * 1024);
        using (var stream = new MemoryStream(new byte[4096]))
        {
            await page.UploadPagesAsync(stream, 0);
        }

        Assert.Equal(64 * 1024, Service.GetModelledSize(BlobServiceFixture.Target, container, "image.vhd"));
        Service.RevokeSas(BlobServiceFixture.Target, container, "image.vhd");
        using var again = new MemoryStream(new byte[4096]);
        var denied = await Assert.ThrowsAsync<RequestFailedException>(() => page.UploadPagesAsync(again, 4096));
        Assert.Equal(403, denied.Status);
    }

    [Fact]
    public async Task Throttling_fault_is_503_server_busy_and_the_sdk_retries_through_it()
    {
        var container = BlobServiceFixture.UniqueName("busy");
        await Service.CreateBlockBlobAsync(BlobServiceFixture.Source, container, "r.json", BinaryData.FromString("{}"), CancellationToken.None);
        fixture.Faults.Add(new FaultRule("Blob.GetBlobProperties", "^/acct1/" + container + "/r\\.json$", FaultKind.TooManyRequests, NthCall: 1));
        var blob = fixture.SharedKeyClient(BlobServiceFixture.Source, maxRetries: 3).GetBlobContainerClient(container).GetBlobClient("r.json");

        Assert.Equal(2, (await blob.GetPropertiesAsync()).Value.ContentLength);

        var entries = fixture.Log.Snapshot().Where(e => e.Path == "/acct1/" + container + "/r.json" && e.Method == "HEAD").ToList();
        Assert.Equal([503, 200], entries.Select(e => e.Status));
        Assert.All(entries, e => Assert.Equal("Blob.GetBlobProperties", e.Operation));
    }

    [Fact]
    public async Task Internal_error_and_connection_reset_faults_surface_without_retries()
    {
        var container = BlobServiceFixture.UniqueName("err");
        await Service.CreateBlockBlobAsync(BlobServiceFixture.Source, container, "r.json", BinaryData.FromString("{}"), CancellationToken.None);
        fixture.Faults.Add(new FaultRule("Blob.GetBlob", "^/acct1/" + container + "/r\\.json$", FaultKind.InternalServerError, NthCall: 1));
        fixture.Faults.Add(new FaultRule("Blob.GetBlob", "^/acct1/" + container + "/r\\.json$", FaultKind.ConnectionReset, NthCall: 2));
        fixture.Faults.Add(new FaultRule("Blob.GetBlob", "^/acct1/" + container + "/r\\.json$", FaultKind.SlowResponse, NthCall: 3, Delay: TimeSpan.FromMinutes(2)));
        var blob = fixture.SharedKeyClient(BlobServiceFixture.Source, maxRetries: 0).GetBlobContainerClient(container).GetBlobClient("r.json");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DownloadContentAsync());
        Assert.Equal(500, error.Status);
        Assert.Equal("InternalError", error.ErrorCode);

        var reset = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DownloadContentAsync());
        Assert.Equal(0, reset.Status);

        var started = DateTime.UtcNow;
        Assert.Equal("{}", (await blob.DownloadContentAsync()).Value.Content.ToString());
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(90), "2 modelled minutes = 100 real ms");
    }

    [Fact]
    public async Task Request_log_records_blob_requests_without_query_or_signatures()
    {
        var container = BlobServiceFixture.UniqueName("log");
        await Service.CreateBlockBlobAsync(BlobServiceFixture.Source, container, "r.json", BinaryData.FromString("{}"), CancellationToken.None);
        var sas = Service.GetReadSasUri(BlobServiceFixture.Source, container, "r.json", TimeSpan.FromHours(1));
        await new BlobClient(sas, BlobServiceFixture.ClientOptions()).DownloadContentAsync();
        await fixture.SharedKeyClient(BlobServiceFixture.Source).GetBlobContainerClient(container).GetBlobClient("r.json").GetPropertiesAsync();

        var entries = fixture.Log.Snapshot();
        var mine = entries.Where(e => e.Path == "/acct1/" + container + "/r.json").ToList();
        Assert.Contains(mine, e => e is { Method: "GET", Status: 200, Operation: "Blob.GetBlob", IsWrite: false, Principal: "SAS:acct1" });
        Assert.Contains(mine, e => e is { Method: "HEAD", Status: 200, Principal: "SharedKey:acct1" });
        Assert.All(entries, e =>
        {
            Assert.Equal("blob", e.Service);
            Assert.DoesNotContain("sig=", e.Path, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("?", e.Path, StringComparison.Ordinal);
            Assert.DoesNotContain("sig=", e.Principal ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        });
        Assert.DoesNotContain(entries, e => e.ToString().Contains(Service.GetAccountKey("acct1"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_node_modules_gives_a_clear_error()
    {
        var empty = Directory.CreateTempSubdirectory("la-no-node-modules");
        try
        {
            var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => BlobService.StartAsync(
                new BlobServiceOptions
                {
                    Accounts = [new StorageAccountSeed("acct9", BlobServiceFixture.NewKey())],
                    Tls = fixture.Tls,
                    Clock = fixture.Clock,
                    Faults = new TestFaultInjector(),
                    RequestLog = new TestRequestLog(),
                    NodeModulesDirectory = empty.FullName,
                },
                CancellationToken.None));
            Assert.Contains("npm ci --prefix tools/LocalAzure", exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }
}
