using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace LocalAzure.Tests;

/// <summary>The factory's export path: beginGetAccess on a deallocated VM's disk, copy into the lab account, endGetAccess.</summary>
[Collection(LocalAzureTestGroup.Name)]
public sealed class DiskExportTests(LocalAzureFixture fixture)
{
    private static readonly string Lab = LocalAzureFixture.FactoryLabId;

    [Fact]
    public async Task BeginGetAccess_is_refused_while_the_VM_runs()
    {
        var disk = await OsDiskIdAsync("win2016-running");
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Post, $"{disk}/beginGetAccess?api-version=2025-01-02",
            new JsonObject { ["access"] = "Read", ["durationInSeconds"] = 3600 });
        Assert.Equal(409, response.Status);
        var error = JsonNode.Parse(response.Content.ToString())!["error"]!;
        Assert.Equal("Conflict", error["code"]!.GetValue<string>());
        Assert.StartsWith("Access not permitted because disk win2016-running_OsDisk_1_", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_copy_is_pending_then_success_and_the_SAS_is_revoked_by_endGetAccess()
    {
        var pipeline = fixture.Pipeline();
        var disk = await OsDiskIdAsync("export-vm");

        // Grant: 202 + Location + Azure-AsyncOperation, the Location gives the SAS.
        var grant = await fixture.SendAsync(pipeline, RequestMethod.Post, $"{disk}/beginGetAccess?api-version=2025-01-02",
            new JsonObject { ["access"] = "Read", ["durationInSeconds"] = 36000 });
        Assert.Equal(202, grant.Status);
        Assert.True(grant.Headers.TryGetValue("Azure-AsyncOperation", out _));
        var granted = await fixture.PollLocationAsync(pipeline, grant);
        Assert.Equal(200, granted.Status);
        var sas = new Uri(JsonNode.Parse(granted.Content.ToString())!["accessSAS"]!.GetValue<string>());
        Assert.Equal("ActiveSAS", await DiskStateAsync(disk));

        // Destination: the lab's account, found through ARM (endpoint and key), never built from names.
        var account = await fixture.SendAsync(pipeline, RequestMethod.Get, $"{AccountId()}?api-version=2025-08-01");
        var accountJson = JsonNode.Parse(account.Content.ToString())!;
        var blobEndpoint = new Uri(accountJson["properties"]!["primaryEndpoints"]!["blob"]!.GetValue<string>());
        var keys = await fixture.SendAsync(pipeline, RequestMethod.Post, $"{AccountId()}/listKeys?api-version=2025-08-01");
        var key = JsonNode.Parse(keys.Content.ToString())!["keys"]![0]!["value"]!.GetValue<string>();
        var service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(accountJson["name"]!.GetValue<string>(), key));
        var container = service.GetBlobContainerClient("imagefactoryvhds");
        await container.CreateIfNotExistsAsync();
        var destination = container.GetBlobClient("export-vm.vhd");

        var copy = await destination.StartCopyFromUriAsync(sas);
        var first = await destination.GetPropertiesAsync();
        Assert.Equal(CopyStatus.Pending, first.Value.CopyStatus);
        await copy.WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default);
        var last = await destination.GetPropertiesAsync();
        Assert.Equal(CopyStatus.Success, last.Value.CopyStatus);
        Assert.Equal(BlobType.Page, last.Value.BlobType);

        // Revoke: the SAS no longer reads.
        var end = await fixture.SendAsync(pipeline, RequestMethod.Post, $"{disk}/endGetAccess?api-version=2025-01-02");
        Assert.Equal(202, end.Status);
        Assert.Equal(200, (await fixture.PollLocationAsync(pipeline, end)).Status);
        Assert.Equal("Reserved", await DiskStateAsync(disk));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobClient(sas).GetPropertiesAsync());
        Assert.Equal(403, e.Status);

        var state = await fixture.Host.GetStateAsync();
        Assert.Contains(state["blobs"]!.AsArray(), b => b!["name"]!.GetValue<string>() == "export-vm.vhd" && b["modelledLength"]!.GetValue<long>() == 127L * 1024 * 1024 * 1024);
        Assert.DoesNotContain(state["disks"]!.AsArray(), d => d!["id"]!.GetValue<string>() == disk && d["activeSas"]!.GetValue<bool>());
    }

    private async Task<string> OsDiskIdAsync(string vm)
    {
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{Lab}/virtualmachines/{vm}?api-version=2018-09-15&$expand=properties($expand=computeVm)");
        return JsonNode.Parse(response.Content.ToString())!["properties"]!["computeVm"]!["osDiskId"]!.GetValue<string>();
    }

    private async Task<string> DiskStateAsync(string disk)
    {
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{disk}?api-version=2025-01-02");
        return JsonNode.Parse(response.Content.ToString())!["properties"]!["diskState"]!.GetValue<string>();
    }

    private string AccountId()
    {
        lock (fixture.Host.Context.World.Sync)
        {
            return fixture.Host.Context.World.Labs.Values.Single(l => l.Name == "FactoryLab").StorageAccountId;
        }
    }
}
