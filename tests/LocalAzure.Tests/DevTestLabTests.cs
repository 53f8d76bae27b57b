using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using LocalAzure.Common;

namespace LocalAzure.Tests;

[Collection(LocalAzureTestGroup.Name)]
public sealed class DevTestLabTests(LocalAzureFixture fixture)
{
    private static readonly string Lab = LocalAzureFixture.FactoryLabId;

    [Fact]
    public async Task Lab_get_through_GenericResource_has_the_lab_storage_account()
    {
        var lab = await fixture.ArmClient().GetGenericResource(new ResourceIdentifier(Lab)).GetAsync();
        var properties = JsonNode.Parse(lab.Value.Data.Properties.ToString())!;
        Assert.EndsWith("/providers/Microsoft.Storage/storageAccounts/" + Account(), properties["artifactsStorageAccount"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Succeeded", properties["provisioningState"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lab_list_by_resource_group()
    {
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"/subscriptions/{LocalAzureFixture.FactorySubscription}/resourceGroups/rg-targets/providers/Microsoft.DevTestLab/labs?api-version=2018-09-15");
        var names = JsonNode.Parse(response.Content.ToString())!["value"]!.AsArray().Select(l => l!["name"]!.GetValue<string>());
        Assert.Equal(["TargetLabA", "TargetLabB"], names);
    }

    [Fact]
    public async Task Vm_get_with_expand_gives_computeVm_with_os_disk_and_power_state()
    {
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{Lab}/virtualmachines/win2016-golden?api-version=2018-09-15&$expand=properties($expand=computeVm)");
        Assert.Equal(200, response.Status);
        var vm = JsonNode.Parse(response.Content.ToString())!;
        Assert.Equal("Win2016/Datacenter.json", vm["tags"]!["ImagePath"]!.GetValue<string>());
        var computeVm = vm["properties"]!["computeVm"]!;
        Assert.Contains("/providers/Microsoft.Compute/disks/win2016-golden_OsDisk_1_", computeVm["osDiskId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(computeVm["statuses"]!.AsArray(), s => s!["code"]!.GetValue<string>() == "PowerState/deallocated");
        Assert.Matches("/resourceGroups/FactoryLab-win2016-golden-[0-9]+/providers/Microsoft.Compute/virtualMachines/win2016-golden$", vm["properties"]!["computeId"]!.GetValue<string>());

        var plain = JsonNode.Parse((await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{Lab}/virtualmachines/win2016-golden?api-version=2018-09-15")).Content.ToString())!;
        Assert.Null(plain["properties"]!["computeVm"]);
    }

    [Fact]
    public async Task Compute_vm_instance_view_reports_power_state()
    {
        var computeId = await ComputeIdAsync("win2016-running");
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{computeId}/instanceView?api-version=2025-11-01");
        var statuses = JsonNode.Parse(response.Content.ToString())!["statuses"]!.AsArray().Select(s => s!["code"]!.GetValue<string>());
        Assert.Equal(["ProvisioningState/succeeded", "PowerState/running"], statuses);

        var expanded = JsonNode.Parse((await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{computeId}?api-version=2025-11-01&$expand=instanceView")).Content.ToString())!;
        Assert.NotNull(expanded["properties"]!["instanceView"]!["statuses"]);
    }

    [Fact]
    public async Task Custom_image_from_vm_is_an_LRO_that_completes_through_Azure_Core_and_deletes()
    {
        var client = fixture.ArmClient();
        var id = new ResourceIdentifier($"{Lab}/customimages/test-from-vm");
        var data = new GenericResourceData(new AzureLocation("westeurope"))
        {
            Properties = BinaryData.FromObjectAsJson(new
            {
                vm = new { sourceVmId = $"{Lab}/virtualmachines/linux-golden", linuxOsInfo = new { linuxOsState = "DeprovisionApplied" } },
                description = "test",
            }),
        };
        data.Tags["ImagePath"] = "Linux/test.json";
        var before = fixture.Host.Requests.Snapshot().Count;
        var operation = await client.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, data);
        var properties = JsonNode.Parse(operation.Value.Data.Properties.ToString())!;
        Assert.Equal("Succeeded", properties["provisioningState"]!.GetValue<string>());
        Assert.Equal("linux-golden", properties["vm"]!["sourceVmId"]!.GetValue<string>().Split('/')[^1]);
        var put = fixture.Host.Requests.Snapshot().Skip(before).First(e => e.Method == "PUT");
        Assert.Equal(201, put.Status);
        Assert.Equal("Microsoft.DevTestLab/labs/customimages/write", put.Operation);

        await operation.Value.DeleteAsync(WaitUntil.Completed);
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetGenericResource(id).GetAsync());
        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task Custom_image_from_vhd_outside_the_lab_account_fails_InvalidStorageAccountForLab()
    {
        string teamAccount;
        lock (fixture.Host.Context.World.Sync)
        {
            teamAccount = fixture.Host.Context.World.Labs.Values.Single(l => l.Name == "TeamLab").StorageAccountName;
        }

        var foreignVhd = new Uri(fixture.Host.Blobs.GetAccountEndpoint(teamAccount), "uploads/x.vhd").AbsoluteUri;
        var response = await PutVhdImageAsync("bad-account", foreignVhd);
        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidStorageAccountForLab", Code(response));

        var nameOnly = await PutVhdImageAsync("bad-host", $"https://{Account()}.blob.core.windows.net/uploads/uploaded.vhd");
        Assert.Equal("InvalidStorageAccountForLab", Code(nameOnly));
    }

    [Fact]
    public async Task Custom_image_from_vhd_needs_an_existing_page_blob()
    {
        var endpoint = fixture.Host.Blobs.GetAccountEndpoint(Account());
        var record = await PutVhdImageAsync("from-record", new Uri(endpoint, "imagefactoryvhds/Win2016-Datacenter.json").AbsoluteUri);
        Assert.Equal("InvalidVhd", Code(record));
        var missing = await PutVhdImageAsync("from-missing", new Uri(endpoint, "imagefactoryvhds/missing.vhd").AbsoluteUri);
        Assert.Equal("InvalidVhd", Code(missing));
    }

    [Fact]
    public async Task Custom_image_from_vhd_in_the_lab_account_succeeds_and_an_injected_LRO_failure_leaves_a_Failed_image()
    {
        var pipeline = fixture.Pipeline();
        var vhd = new Uri(fixture.Host.Blobs.GetAccountEndpoint(Account()), "imagefactoryvhds/Win2016-Datacenter.vhd").AbsoluteUri;
        var created = await PutVhdImageAsync("Win2016-Datacenter", vhd);
        Assert.Equal(201, created.Status);
        Assert.True(created.Headers.TryGetValue("Location", out _));
        Assert.True(created.Headers.TryGetValue("retry-after-ms", out _));
        var done = await fixture.PollLocationAsync(pipeline, created);
        Assert.Equal(200, done.Status);
        var image = JsonNode.Parse((await fixture.SendAsync(pipeline, RequestMethod.Get, $"{Lab}/customimages/Win2016-Datacenter?api-version=2018-09-15")).Content.ToString())!;
        Assert.Equal("Succeeded", image["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.Equal(vhd, image["properties"]!["vhd"]!["imageName"]!.GetValue<string>());

        fixture.Host.Faults.Add(new FaultRule("Microsoft.DevTestLab/labs/customimages/write", "failing-image$", FaultKind.LongRunningOperationFailed));
        try
        {
            var failing = await PutVhdImageAsync("failing-image", vhd);
            Assert.Equal(201, failing.Status);
            var end = await fixture.PollLocationAsync(pipeline, failing);
            Assert.Equal(400, end.Status);
            var failed = JsonNode.Parse((await fixture.SendAsync(pipeline, RequestMethod.Get, $"{Lab}/customimages/failing-image?api-version=2018-09-15")).Content.ToString())!;
            Assert.Equal("Failed", failed["properties"]!["provisioningState"]!.GetValue<string>());
        }
        finally
        {
            fixture.Host.Faults.Clear();
        }
    }

    [Fact]
    public async Task Vm_stop_deallocates_and_start_runs_again_as_LROs()
    {
        var pipeline = fixture.Pipeline();
        var stop = await fixture.SendAsync(pipeline, RequestMethod.Post, $"{Lab}/virtualmachines/startstop-vm/stop?api-version=2018-09-15");
        Assert.Equal(202, stop.Status);
        Assert.Equal(200, (await fixture.PollLocationAsync(pipeline, stop)).Status);
        Assert.Equal("PowerState/deallocated", await PowerStateAsync("startstop-vm"));

        var start = await fixture.SendAsync(pipeline, RequestMethod.Post, $"{Lab}/virtualmachines/startstop-vm/start?api-version=2018-09-15");
        Assert.Equal(200, (await fixture.PollLocationAsync(pipeline, start)).Status);
        Assert.Equal("PowerState/running", await PowerStateAsync("startstop-vm"));
    }

    [Fact]
    public async Task Vm_delete_is_an_LRO_that_removes_the_compute_vm_its_disk_and_its_resource_group()
    {
        var pipeline = fixture.Pipeline();
        var vm = JsonNode.Parse((await fixture.SendAsync(pipeline, RequestMethod.Get, $"{Lab}/virtualmachines/delete-vm?api-version=2018-09-15&$expand=properties($expand=computeVm)")).Content.ToString())!;
        var computeId = vm["properties"]!["computeId"]!.GetValue<string>();
        var diskId = vm["properties"]!["computeVm"]!["osDiskId"]!.GetValue<string>();
        var group = string.Join('/', computeId.Split('/').Take(5));

        var delete = await fixture.SendAsync(pipeline, RequestMethod.Delete, $"{Lab}/virtualmachines/delete-vm?api-version=2018-09-15");
        Assert.Equal(202, delete.Status);
        var during = JsonNode.Parse((await fixture.SendAsync(pipeline, RequestMethod.Get, $"{Lab}/virtualmachines/delete-vm?api-version=2018-09-15")).Content.ToString())!;
        Assert.Equal("Deleting", during["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.Equal(200, (await fixture.PollLocationAsync(pipeline, delete)).Status);

        Assert.Equal(404, (await fixture.SendAsync(pipeline, RequestMethod.Get, $"{Lab}/virtualmachines/delete-vm?api-version=2018-09-15")).Status);
        Assert.Equal(404, (await fixture.SendAsync(pipeline, RequestMethod.Get, $"{computeId}?api-version=2025-11-01")).Status);
        Assert.Equal(404, (await fixture.SendAsync(pipeline, RequestMethod.Get, $"{diskId}?api-version=2025-01-02")).Status);
        Assert.Equal(404, (await fixture.SendAsync(pipeline, RequestMethod.Get, $"{group}?api-version=2021-04-01")).Status);
        Assert.Equal(204, (await fixture.SendAsync(pipeline, RequestMethod.Delete, $"{Lab}/virtualmachines/delete-vm?api-version=2018-09-15")).Status);
    }

    [Fact]
    public async Task Resource_groups_list_through_ArmClient_includes_the_lab_owned_groups()
    {
        var subscription = await fixture.ArmClient().GetDefaultSubscriptionAsync();
        var names = new List<string>();
        await foreach (var group in subscription.GetResourceGroups().GetAllAsync())
        {
            names.Add(group.Data.Name);
        }

        Assert.Contains("rg-factory", names);
        Assert.Contains(names, n => n.StartsWith("FactoryLab-win2016-golden-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Slow_response_fault_delays_but_answers()
    {
        fixture.Host.Faults.Add(new FaultRule("Microsoft.DevTestLab/labs/customimages/read", "win2012-vs2015$", FaultKind.SlowResponse, NthCall: 1, Delay: TimeSpan.FromMinutes(2)));
        try
        {
            var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{Lab}/customimages/win2012-vs2015?api-version=2018-09-15");
            Assert.Equal(200, response.Status);
        }
        finally
        {
            fixture.Host.Faults.Clear();
        }
    }

    [Fact]
    public async Task Vm_and_image_tags_can_be_patched()
    {
        var pipeline = fixture.Pipeline();
        var patched = await fixture.SendAsync(pipeline, RequestMethod.Patch, $"{Lab}/virtualmachines/win2016-running?api-version=2018-09-15",
            new JsonObject { ["tags"] = new JsonObject { ["ImagePath"] = "Win2016/SQLServer 2016 Express.json", ["Stamp"] = "1" } });
        Assert.Equal(200, patched.Status);
        Assert.Equal("1", JsonNode.Parse(patched.Content.ToString())!["tags"]!["Stamp"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListVhds_and_generateUploadUri_point_at_the_lab_account_on_the_blob_front()
    {
        var pipeline = fixture.Pipeline();
        var vhds = JsonNode.Parse((await fixture.SendAsync(pipeline, RequestMethod.Post, $"{Lab}/listVhds?api-version=2018-09-15")).Content.ToString())!;
        var endpoint = fixture.Host.Blobs.GetAccountEndpoint(Account()).AbsoluteUri;
        Assert.Contains(vhds["value"]!.AsArray(), v => v!["id"]!.GetValue<string>() == endpoint + "uploads/uploaded.vhd");
        var upload = await fixture.SendAsync(pipeline, RequestMethod.Post, $"{Lab}/generateUploadUri?api-version=2018-09-15", new JsonObject { ["blobName"] = "new.vhd" });
        Assert.StartsWith(endpoint + "uploads/new.vhd?", JsonNode.Parse(upload.Content.ToString())!["uploadUri"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<Response> PutVhdImageAsync(string name, string imageName) =>
        await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Put, $"{Lab}/customimages/{name}?api-version=2018-09-15", new JsonObject
        {
            ["location"] = "westeurope",
            ["properties"] = new JsonObject
            {
                ["vhd"] = new JsonObject { ["imageName"] = imageName, ["sysPrep"] = true, ["osType"] = "Windows" },
                ["author"] = "tests",
            },
        });

    private async Task<string> ComputeIdAsync(string vm)
    {
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{Lab}/virtualmachines/{vm}?api-version=2018-09-15");
        return JsonNode.Parse(response.Content.ToString())!["properties"]!["computeId"]!.GetValue<string>();
    }

    private async Task<string> PowerStateAsync(string vm)
    {
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{await ComputeIdAsync(vm)}/instanceView?api-version=2025-11-01");
        return JsonNode.Parse(response.Content.ToString())!["statuses"]!.AsArray().Select(s => s!["code"]!.GetValue<string>()).Single(c => c.StartsWith("PowerState/", StringComparison.Ordinal));
    }

    private static string? Code(Response response) => JsonNode.Parse(response.Content.ToString())?["error"]?["code"]?.GetValue<string>();

    private string Account()
    {
        lock (fixture.Host.Context.World.Sync)
        {
            return fixture.Host.Context.World.Labs.Values.Single(l => l.Name == "FactoryLab").StorageAccountName;
        }
    }
}
