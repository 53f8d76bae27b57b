using System.Text.Json.Nodes;
using System.Web;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Tests.Fakes;

namespace ImageFactory.Engine.Tests.Azure;

public sealed class ArmRestClientTests
{
    private const string LabPath = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/Factory";
    private const string ImagePath = LabPath + "/customimages/img1";

    private readonly ScriptedTransport transport = new();
    private readonly ArmRestClient client;

    public ArmRestClientTests()
    {
        client = new ArmRestClient(transport.CreatePipeline(), new Uri("https://example.test/"));
    }

    private static string Error(string code, string message) =>
        new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }.ToJsonString();

    private static string Page(string? nextLink, params string[] names)
    {
        var values = new JsonArray();
        foreach (var name in names)
        {
            values.Add(new JsonObject { ["name"] = name });
        }

        var page = new JsonObject { ["value"] = values };
        if (nextLink is not null)
        {
            page["nextLink"] = nextLink;
        }

        return page.ToJsonString();
    }

    private static async Task<List<string>> Names(IAsyncEnumerable<JsonObject> items)
    {
        var names = new List<string>();
        await foreach (var item in items)
        {
            names.Add(item["name"]!.GetValue<string>());
        }

        return names;
    }

    [Fact]
    public async Task Get_sends_the_api_version_and_accept_and_parses_the_body()
    {
        transport.Then(200, """{"name":"Factory","properties":{"provisioningState":"Succeeded"}}""");

        var lab = await client.GetAsync(LabPath, "2018-09-15", CancellationToken.None);

        Assert.Equal("Factory", lab!["name"]!.GetValue<string>());
        var request = Assert.Single(transport.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("https://example.test" + LabPath + "?api-version=2018-09-15", request.Uri.AbsoluteUri);
        Assert.Equal("application/json", request.Headers["Accept"]);
    }

    [Fact]
    public async Task A_list_follows_next_link_page_by_page()
    {
        transport
            .Then(200, Page("https://example.test" + LabPath + "/virtualmachines?api-version=2018-09-15&$skipToken=abc%3D%3D", "a", "b"))
            .Then(200, Page("https://example.test" + LabPath + "/virtualmachines?api-version=2018-09-15&$skipToken=def", "c"))
            .Then(200, Page(null, "d"));

        var names = await Names(client.ListAsync(LabPath + "/virtualmachines", "2018-09-15", CancellationToken.None));

        Assert.Equal(["a", "b", "c", "d"], names);
        Assert.Equal(3, transport.Requests.Count);
        Assert.Equal("abc==", HttpUtility.ParseQueryString(transport.Requests[1].Uri.Query)["$skipToken"]);
        Assert.Equal("def", HttpUtility.ParseQueryString(transport.Requests[2].Uri.Query)["$skipToken"]);
        Assert.Equal(0, transport.Remaining);
    }

    [Fact]
    public async Task An_empty_next_link_ends_the_list()
    {
        transport.Then(200, """{"value":[{"name":"a"}],"nextLink":""}""");

        Assert.Equal(["a"], await Names(client.ListAsync(LabPath + "/customimages", "2018-09-15", CancellationToken.None)));
    }

    [Fact]
    public async Task The_expand_query_is_sent_escaped_and_reads_back_exactly()
    {
        transport.Then(200, Page(null));

        _ = await Names(client.ListAsync(
            LabPath + "/virtualmachines", "2018-09-15", CancellationToken.None, [new("$expand", "properties($expand=computeVm)")]));

        var uri = Assert.Single(transport.Requests).Uri;
        var query = HttpUtility.ParseQueryString(uri.Query);
        Assert.Equal("properties($expand=computeVm)", query["$expand"]);
        Assert.Equal("2018-09-15", query["api-version"]);
        Assert.Equal(2, query.Count);

        // The value's '=' is escaped (else the query would read "$expand=properties($expand" and "computeVm)").
        Assert.DoesNotContain("$expand=computeVm", uri.Query, StringComparison.Ordinal);
        Assert.StartsWith(LabPath + "/virtualmachines", uri.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_201_with_location_polls_until_200_then_reads_the_resource()
    {
        var location = "https://example.test/subscriptions/sub-1/providers/Microsoft.DevTestLab/locations/westeurope/operationResults/op1?api-version=2018-09-15";
        transport
            .Then(201, """{"name":"img1","properties":{"provisioningState":"Creating"}}""", ("Location", location), ("retry-after-ms", "1"))
            .Then(202, null, ("Location", location), ("retry-after-ms", "2"))
            .Then(200, null)
            .Then(200, """{"name":"img1","properties":{"provisioningState":"Succeeded"}}""");

        var image = await client.PutAndWaitAsync(ImagePath, "2018-09-15", new JsonObject { ["location"] = "westeurope" }, CancellationToken.None);

        Assert.Equal("Succeeded", image!["properties"]!["provisioningState"]!.GetValue<string>());
        var requests = transport.Requests;
        Assert.Equal(["PUT", "GET", "GET", "GET"], requests.Select(request => request.Method));
        Assert.Equal("""{"location":"westeurope"}""", requests[0].Body);
        Assert.Equal("application/json", requests[0].Headers["Content-Type"]);
        Assert.Equal(new Uri(location), requests[1].Uri);
        Assert.Equal(new Uri(location), requests[2].Uri);
        Assert.Equal("https://example.test" + ImagePath + "?api-version=2018-09-15", requests[3].Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Put_with_azure_async_operation_polls_its_status()
    {
        var operation = "https://example.test/subscriptions/sub-1/providers/Microsoft.DevTestLab/locations/westeurope/operations/op2?api-version=2018-09-15";
        transport
            .Then(201, """{"name":"img1"}""", ("Azure-AsyncOperation", operation), ("x-ms-retry-after-ms", "1"))
            .Then(200, """{"status":"InProgress"}""", ("Retry-After", "0"))
            .Then(200, """{"status":"Succeeded"}""")
            .Then(200, """{"name":"img1","properties":{"provisioningState":"Succeeded"}}""");

        var image = await client.PutAndWaitAsync(ImagePath, "2018-09-15", new JsonObject(), CancellationToken.None);

        Assert.Equal("img1", image!["name"]!.GetValue<string>());
        Assert.Equal(4, transport.Requests.Count);
        Assert.Equal(new Uri(operation), transport.Requests[1].Uri);
    }

    [Fact]
    public async Task An_azure_async_operation_ending_failed_throws_with_its_error_code()
    {
        var operation = "https://example.test/operations/op3";
        transport
            .Then(201, "{}", ("Azure-AsyncOperation", operation), ("retry-after-ms", "0"))
            .Then(200, """{"status":"InProgress"}""", ("retry-after-ms", "1"))
            .Then(200, """{"status":"Failed","error":{"code":"InvalidStorageAccountForLab","message":"The VHD is not in the lab's storage account."}}""");

        var error = await Assert.ThrowsAsync<AzureRequestException>(
            () => client.PutAndWaitAsync(ImagePath, "2018-09-15", new JsonObject(), CancellationToken.None));

        Assert.Equal("InvalidStorageAccountForLab", error.ErrorCode);
        Assert.Equal(0, error.Status);
        Assert.Contains("lab's storage account", error.Message, StringComparison.Ordinal);
        Assert.Equal(ImagePath, error.ResourcePath);
        Assert.Equal(3, transport.Requests.Count);
    }

    [Fact]
    public async Task An_operation_canceled_without_an_error_body_names_its_state()
    {
        transport
            .Then(202, null, ("Azure-AsyncOperation", "https://example.test/operations/op4"), ("retry-after-ms", "0"))
            .Then(200, """{"status":"Canceled"}""");

        var error = await Assert.ThrowsAsync<AzureRequestException>(
            () => client.PostAndWaitAsync(ImagePath + "/stop", "2018-09-15", null, CancellationToken.None));

        Assert.Equal("Canceled", error.ErrorCode);
    }

    [Fact]
    public async Task A_resource_ending_in_provisioning_state_failed_throws()
    {
        transport
            .Then(200, "{}")
            .Then(200, """{"properties":{"provisioningState":"Failed"}}""");

        var error = await Assert.ThrowsAsync<AzureRequestException>(
            () => client.PutAndWaitAsync(ImagePath, "2018-09-15", new JsonObject(), CancellationToken.None));

        Assert.Equal("ProvisioningFailed", error.ErrorCode);
    }

    [Fact]
    public async Task Delete_of_a_missing_resource_answers_false()
    {
        transport.Then(404, Error("ResourceNotFound", "Not here."));

        Assert.False(await client.DeleteAndWaitAsync(ImagePath, "2018-09-15", CancellationToken.None));
        Assert.Equal("DELETE", Assert.Single(transport.Requests).Method);
    }

    [Fact]
    public async Task Delete_202_with_location_waits_and_answers_true()
    {
        var location = "https://example.test/operationResults/del1";
        transport
            .Then(202, null, ("Location", location), ("retry-after-ms", "1"))
            .Then(202, null, ("retry-after-ms", "1"))
            .Then(204, null);

        Assert.True(await client.DeleteAndWaitAsync(ImagePath, "2018-09-15", CancellationToken.None));
        Assert.Equal(3, transport.Requests.Count);
        Assert.All(transport.Requests.Skip(1), request => Assert.Equal(new Uri(location), request.Uri));
    }

    [Fact]
    public async Task Delete_200_needs_no_polling()
    {
        transport.Then(200, null);

        Assert.True(await client.DeleteAndWaitAsync(ImagePath, "2018-09-15", CancellationToken.None));
        Assert.Single(transport.Requests);
    }

    [Fact]
    public async Task Post_202_with_location_returns_the_final_body()
    {
        transport
            .Then(202, null, ("Location", "https://example.test/operationResults/grant"), ("Retry-After", "0"))
            .Then(200, """{"accessSAS":"https://md.example.test/abcd?sig=x"}""");

        var result = await client.PostAndWaitAsync("/disk/beginGetAccess", "2025-01-02", new JsonObject { ["access"] = "Read" }, CancellationToken.None);

        Assert.Equal("https://md.example.test/abcd?sig=x", result!["accessSAS"]!.GetValue<string>());
        Assert.Equal("POST", transport.Requests[0].Method);
    }

    [Fact]
    public async Task Post_200_returns_its_own_body()
    {
        transport.Then(200, """{"keys":[{"value":"k1"}]}""");

        var result = await client.PostAndWaitAsync("/account/listKeys", "2025-08-01", null, CancellationToken.None);

        Assert.Equal("k1", result!["keys"]![0]!["value"]!.GetValue<string>());
        Assert.Null(Assert.Single(transport.Requests).Body);
    }

    [Theory]
    [InlineData(403, "AuthorizationFailed")]
    [InlineData(409, "Conflict")]
    [InlineData(400, "InvalidParameter")]
    public async Task An_error_body_becomes_an_exception_with_status_code_method_and_path(int status, string code)
    {
        transport.Then(status, Error(code, "Something is wrong."));

        var error = await Assert.ThrowsAsync<AzureRequestException>(() => client.GetAsync(LabPath, "2018-09-15", CancellationToken.None));

        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal("GET", error.Method);
        Assert.Equal(LabPath, error.ResourcePath);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
        Assert.Contains("Something is wrong.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("api-version", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_still_gives_the_status()
    {
        transport.Then(_ => new FakeResponse(502, "<html>Bad gateway</html>"u8.ToArray()));

        var error = await Assert.ThrowsAsync<AzureRequestException>(() => client.GetAsync(LabPath, "2018-09-15", CancellationToken.None));

        Assert.Equal(502, error.Status);
        Assert.Null(error.ErrorCode);
    }

    [Fact]
    public async Task An_error_body_of_an_unexpected_shape_still_gives_the_status()
    {
        transport.Then(400, """{"error":{"code":42,"message":["not","text"]}}""");

        var error = await Assert.ThrowsAsync<AzureRequestException>(() => client.GetAsync(LabPath, "2018-09-15", CancellationToken.None));

        Assert.Equal(400, error.Status);
        Assert.Null(error.ErrorCode);
    }

    [Fact]
    public async Task Get_or_null_answers_null_for_404_and_throws_for_other_errors()
    {
        transport.Then(404, Error("ResourceNotFound", "No.")).Then(403, Error("AuthorizationFailed", "No."));

        Assert.Null(await client.GetOrNullAsync(LabPath, "2018-09-15", CancellationToken.None));
        var error = await Assert.ThrowsAsync<AzureRequestException>(() => client.GetOrNullAsync(LabPath, "2018-09-15", CancellationToken.None));
        Assert.True(error.IsAuthorizationFailure);
    }

    [Fact]
    public async Task A_failed_poll_is_an_error_with_its_status()
    {
        transport
            .Then(202, null, ("Location", "https://example.test/operationResults/x"), ("retry-after-ms", "0"))
            .Then(500, Error("InternalServerError", "Oops."));

        var error = await Assert.ThrowsAsync<AzureRequestException>(
            () => client.DeleteAndWaitAsync(ImagePath, "2018-09-15", CancellationToken.None));

        Assert.Equal(500, error.Status);
        Assert.Equal("InternalServerError", error.ErrorCode);
    }

    [Fact]
    public async Task Cancellation_while_polling_stops_the_wait()
    {
        using var cancellation = new CancellationTokenSource();
        transport
            .Then(202, null, ("Location", "https://example.test/operationResults/x"), ("retry-after-ms", "0"))
            .Then(_ =>
            {
                cancellation.Cancel();
                return new FakeResponse(202, (string?)null, ("retry-after-ms", "0"));
            });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.DeleteAndWaitAsync(ImagePath, "2018-09-15", cancellation.Token));
        Assert.Equal(2, transport.Requests.Count);
    }
}

public sealed class ArmPollingDelayTests
{
    [Theory]
    [InlineData("retry-after-ms", "250", 250)]
    [InlineData("x-ms-retry-after-ms", "40", 40)]
    [InlineData("Retry-After", "3", 3000)]
    [InlineData("Retry-After", "0", 0)]
    [InlineData("retry-after-ms", "600000", 60000)]
    [InlineData("Retry-After", "3600", 60000)]
    [InlineData("retry-after-ms", "-5", 0)]
    [InlineData("Retry-After", "soon", 5000)]
    [InlineData("Other", "1", 5000)]
    public void The_services_hint_is_honoured_within_bounds(string header, string value, int expectedMilliseconds)
    {
        using var response = new FakeResponse(202, (string?)null, (header, value));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), ArmRestClient.PollingDelay(response));
    }

    [Fact]
    public void Milliseconds_hints_win_over_retry_after()
    {
        using var response = new FakeResponse(202, (string?)null, ("Retry-After", "30"), ("retry-after-ms", "10"));

        Assert.Equal(TimeSpan.FromMilliseconds(10), ArmRestClient.PollingDelay(response));
    }
}
