using System.Text.Json.Nodes;
using System.Web;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Tests.Fakes;

namespace ImageFactory.Engine.Tests.Azure;

public sealed class ArmGatewayTests
{
    private const string LabId = "/subscriptions/sub-1/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs/Factory";
    private const string DiskId = "/subscriptions/sub-1/resourceGroups/Factory-vm1/providers/Microsoft.Compute/disks/vm1-os";
    private const string AccountId = "/subscriptions/sub-1/resourceGroups/rg-factory/providers/Microsoft.Storage/storageAccounts/afactory";

    private readonly ScriptedTransport transport = new();
    private readonly ArmRestClient rest;

    public ArmGatewayTests()
    {
        rest = new ArmRestClient(transport.CreatePipeline(), new Uri("https://example.test/"));
    }

    private static readonly string LabJson = new JsonObject
    {
        ["id"] = LabId,
        ["name"] = "Factory",
        ["location"] = "westeurope",
        ["properties"] = new JsonObject { ["artifactsStorageAccount"] = AccountId, ["defaultStorageAccount"] = "/x/default" },
    }.ToJsonString();

    [Fact]
    public async Task Labs_are_listed_across_the_subscription_and_mapped()
    {
        transport.Then(200, $$"""{"value":[{{LabJson}}]}""");

        var lab = Assert.Single(await new ArmLabGateway(rest).ListLabsAsync("sub-1", CancellationToken.None));

        Assert.Equal("/subscriptions/sub-1/providers/Microsoft.DevTestLab/labs", transport.Requests[0].Uri.AbsolutePath);
        Assert.Equal(new LabInfo(LabId, "sub-1", "rg-factory", "Factory", "westeurope", AccountId, "/x/default"), lab);
    }

    [Fact]
    public async Task A_missing_lab_is_null()
    {
        transport.Then(404, """{"error":{"code":"ResourceNotFound","message":"No."}}""");

        Assert.Null(await new ArmLabGateway(rest).GetLabAsync("sub-1", "rg-factory", "Factory", CancellationToken.None));
        Assert.Equal(LabId, transport.Requests[0].Uri.AbsolutePath);
    }

    [Fact]
    public async Task Vms_are_listed_with_their_compute_view_and_mapped()
    {
        var vm = new JsonObject
        {
            ["id"] = LabId + "/virtualmachines/vm1",
            ["name"] = "vm1",
            ["tags"] = new JsonObject { ["ImagePath"] = "Win2016\\Datacenter.json", ["Number"] = 3 },
            ["properties"] = new JsonObject
            {
                ["notes"] = null,
                ["osType"] = "Windows",
                ["provisioningState"] = "Succeeded",
                ["createdDate"] = "2026-11-24T08:00:00.123+00:00",
                ["computeId"] = "/subscriptions/sub-1/resourceGroups/Factory-vm1/providers/Microsoft.Compute/virtualMachines/vm1",
                ["computeVm"] = new JsonObject
                {
                    ["statuses"] = new JsonArray(
                        new JsonObject { ["code"] = "ProvisioningState/succeeded" },
                        new JsonObject { ["code"] = "PowerState/deallocated" }),
                    ["osType"] = "Windows",
                    ["osDiskId"] = DiskId,
                },
            },
        };
        transport.Then(200, new JsonObject { ["value"] = new JsonArray(vm) }.ToJsonString());
        var lab = ArmLabGateway.ToLab(JsonNode.Parse(LabJson)!.AsObject());

        var info = Assert.Single(await new ArmLabGateway(rest).ListVirtualMachinesAsync(lab, CancellationToken.None));

        var request = Assert.Single(transport.Requests);
        Assert.Equal(LabId + "/virtualmachines", request.Uri.AbsolutePath);
        Assert.Equal("properties($expand=computeVm)", HttpUtility.ParseQueryString(request.Uri.Query)["$expand"]);
        Assert.Equal("vm1", info.Name);
        Assert.Equal("Win2016\\Datacenter.json", info.Tags["imagepath"]);
        Assert.False(info.Tags.ContainsKey("Number"));
        Assert.Null(info.Notes);
        Assert.Equal("deallocated", info.PowerState);
        Assert.Equal(DiskId, info.OsDiskId);
        Assert.Equal("Succeeded", info.ProvisioningState);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 8, 0, 0, 123, TimeSpan.Zero), info.CreatedDate);
    }

    [Fact]
    public async Task A_custom_image_from_a_vhd_never_sends_the_sas()
    {
        transport
            .Then(201, "{}", ("Azure-AsyncOperation", "https://example.test/operations/1"), ("retry-after-ms", "0"))
            .Then(200, """{"status":"Succeeded"}""")
            .Then(200, """
                {"id":"x/customimages/img","name":"img","properties":{"vhd":{"imageName":"https://a/b.vhd","sysPrep":false,"osType":"Linux"},"provisioningState":"Succeeded"}}
                """);
        var lab = ArmLabGateway.ToLab(JsonNode.Parse(LabJson)!.AsObject());
        var request = new CustomImageFromVhdRequest(
            "Linux_Ubuntu-Nov-25-2026", new Uri("https://afactory.blob.example.test/imagefactoryvhds/abc.vhd?sv=1&sig=secret"), "Linux", false, null,
            new Dictionary<string, string> { ["ImagePath"] = "Linux/Ubuntu.json" });

        var image = await new ArmLabGateway(rest).CreateCustomImageFromVhdAsync(lab, request, CancellationToken.None);

        var put = transport.Requests[0];
        Assert.Equal("PUT", put.Method);
        Assert.Equal(LabId + "/customimages/Linux_Ubuntu-Nov-25-2026", put.Uri.AbsolutePath);
        Assert.DoesNotContain("sig=", put.Body, StringComparison.Ordinal);
        var body = JsonNode.Parse(put.Body!)!;
        Assert.Equal("https://afactory.blob.example.test/imagefactoryvhds/abc.vhd", body["properties"]!["vhd"]!["imageName"]!.GetValue<string>());
        Assert.False(body["properties"]!["vhd"]!["sysPrep"]!.GetValue<bool>());
        Assert.Equal("westeurope", body["location"]!.GetValue<string>());
        Assert.Equal("Linux/Ubuntu.json", body["tags"]!["ImagePath"]!.GetValue<string>());
        Assert.False(image.SysPrep);
        Assert.Equal("Linux", image.OsType);
    }

    [Fact]
    public async Task Disk_size_comes_from_bytes_or_gibibytes()
    {
        transport
            .Then(200, """{"properties":{"diskSizeBytes":136367308800,"diskSizeGB":127}}""")
            .Then(200, """{"properties":{"diskSizeGB":127}}""")
            .Then(200, """{"properties":{}}""");
        var disks = new ArmDiskGateway(rest);

        Assert.Equal(136367308800, await disks.GetSizeBytesAsync(DiskId, CancellationToken.None));
        Assert.Equal(127L << 30, await disks.GetSizeBytesAsync(DiskId, CancellationToken.None));
        Assert.Null(await disks.GetSizeBytesAsync(DiskId, CancellationToken.None));
        Assert.Equal("2025-01-02", HttpUtility.ParseQueryString(transport.Requests[0].Uri.Query)["api-version"]);
    }

    [Fact]
    public async Task Granting_read_access_asks_for_the_duration_and_returns_the_sas_from_the_operation()
    {
        transport
            .Then(202, null, ("Location", "https://example.test/operations/grant"), ("retry-after-ms", "0"))
            .Then(202, null, ("retry-after-ms", "0"))
            .Then(200, """{"accessSAS":"https://md-abc.blob.example.test/abcd/abcd?sv=1&sig=s"}""");

        var sas = await new ArmDiskGateway(rest).GrantReadAccessAsync(DiskId, TimeSpan.FromMinutes(75.5), CancellationToken.None);

        Assert.Equal("https://md-abc.blob.example.test/abcd/abcd?sv=1&sig=s", sas.AbsoluteUri);
        var post = transport.Requests[0];
        Assert.Equal(DiskId + "/beginGetAccess", post.Uri.AbsolutePath);
        var body = JsonNode.Parse(post.Body!)!;
        Assert.Equal("Read", body["access"]!.GetValue<string>());
        Assert.Equal(4530, body["durationInSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_grant_without_a_sas_is_an_error()
    {
        transport.Then(200, "{}");

        var error = await Assert.ThrowsAsync<AzureRequestException>(
            () => new ArmDiskGateway(rest).GrantReadAccessAsync(DiskId, TimeSpan.FromHours(1), CancellationToken.None));

        Assert.Equal("NoAccessSas", error.ErrorCode);
    }

    [Fact]
    public async Task Revoking_posts_end_get_access_and_waits()
    {
        transport
            .Then(202, null, ("Location", "https://example.test/operations/revoke"), ("retry-after-ms", "0"))
            .Then(200, null);

        await new ArmDiskGateway(rest).RevokeAccessAsync(DiskId, CancellationToken.None);

        Assert.Equal(DiskId + "/endGetAccess", transport.Requests[0].Uri.AbsolutePath);
        Assert.Equal("POST", transport.Requests[0].Method);
        Assert.Equal(2, transport.Requests.Count);
    }

    [Fact]
    public async Task A_storage_account_gives_its_blob_endpoint_and_first_key()
    {
        transport
            .Then(200, """{"name":"afactory","properties":{"primaryEndpoints":{"blob":"https://afactory.blob.core.usgovcloudapi.net/"}}}""")
            .Then(200, """{"keys":[{"keyName":"key1","value":"first"},{"keyName":"key2","value":"second"}]}""");
        var accounts = new ArmStorageAccountGateway(rest);

        var account = await accounts.GetAsync(AccountId, CancellationToken.None);
        var key = await accounts.GetKeyAsync(AccountId, CancellationToken.None);

        Assert.Equal(new Uri("https://afactory.blob.core.usgovcloudapi.net/"), account.BlobEndpoint);
        Assert.Equal("afactory", account.Name);
        Assert.Equal("first", key);
        Assert.Equal(AccountId + "/listKeys", transport.Requests[1].Uri.AbsolutePath);
        Assert.Equal("POST", transport.Requests[1].Method);
    }

    [Theory]
    [InlineData("12/34", 12, 34)]
    [InlineData("", 0, 0)]
    [InlineData(null, 0, 0)]
    [InlineData("garbage", 0, 0)]
    public void Copy_progress_is_parsed(string? progress, long copied, long total)
    {
        Assert.Equal((copied, total), BlobContainerGateway.ParseProgress(progress));
    }
}
