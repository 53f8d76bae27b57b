using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using LocalAzure.Common;

namespace LocalAzure.Tests;

[Collection(LocalAzureTestGroup.Name)]
public sealed class ArmBehaviourTests(LocalAzureFixture fixture)
{
    private const string S1 = LocalAzureFixture.FactorySubscription;

    [Theory]
    [InlineData("/subscriptions/" + S1 + "/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs/FactoryLab?api-version=2099-01-01", 400, "NoRegisteredProviderFound")]
    [InlineData("/subscriptions/" + S1 + "/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs/FactoryLab", 400, "MissingApiVersionParameter")]
    [InlineData("/subscriptions/" + S1 + "/resourceGroups/rg-factory?api-version=1999-01-01", 400, "InvalidApiVersionParameter")]
    [InlineData("/subscriptions/" + S1 + "/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs/FactoryLab/widgets/w1?api-version=2018-09-15", 404, "InvalidResourceType")]
    [InlineData("/subscriptions/" + S1 + "/resourceGroups/rg-factory/providers/Microsoft.Nope/things/t1?api-version=2018-09-15", 404, "InvalidResourceNamespace")]
    [InlineData("/subscriptions/" + S1 + "/resourceGroups/rg-nope/providers/Microsoft.DevTestLab/labs/FactoryLab?api-version=2018-09-15", 404, "ResourceGroupNotFound")]
    [InlineData("/subscriptions/" + S1 + "/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs/NoSuchLab?api-version=2018-09-15", 404, "ResourceNotFound")]
    [InlineData("/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg?api-version=2021-04-01", 404, "SubscriptionNotFound")]
    [InlineData("/nothing/here?api-version=2021-04-01", 404, "NotFound")]
    public async Task Unknown_paths_and_versions_get_ARM_errors(string path, int status, string code)
    {
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, path);
        Assert.Equal(status, response.Status);
        Assert.Equal(code, JsonNode.Parse(response.Content.ToString())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lists_are_paged_with_nextLink()
    {
        var pipeline = fixture.Pipeline();
        var names = new List<string>();
        var pages = 0;
        string? next = $"/subscriptions/{S1}/providers/Microsoft.DevTestLab/labs?api-version=2018-09-15";
        while (next is not null)
        {
            var response = await fixture.SendAsync(pipeline, RequestMethod.Get, next);
            Assert.Equal(200, response.Status);
            var body = JsonNode.Parse(response.Content.ToString())!;
            names.AddRange(body["value"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()));
            next = body["nextLink"]?.GetValue<string>();
            pages++;
        }

        Assert.Equal(["FactoryLab", "TargetLabA", "TargetLabB"], names);
        Assert.Equal(2, pages);
    }

    [Fact]
    public async Task Resource_list_filters_by_type_and_pages()
    {
        var client = fixture.ArmClient();
        var subscription = client.GetSubscriptionResource(new ResourceIdentifier("/subscriptions/" + S1));
        var labs = new List<string>();
        await foreach (var r in subscription.GetGenericResourcesAsync(filter: "resourceType eq 'Microsoft.DevTestLab/labs'"))
        {
            labs.Add(r.Data.Name);
        }

        Assert.Equal(3, labs.Count);
    }

    [Fact]
    public async Task Every_ARM_response_carries_the_remaining_reads_or_writes()
    {
        var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"{LocalAzureFixture.FactoryLabId}?api-version=2018-09-15");
        Assert.True(response.Headers.TryGetValue("x-ms-ratelimit-remaining-subscription-reads", out var remaining));
        Assert.True(int.Parse(remaining!, System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Injected_429_is_honoured_by_the_SDK_which_retries_and_succeeds()
    {
        var lab = LocalAzureFixture.LabId(S1, "rg-targets", "TargetLabA");
        fixture.Host.Faults.Add(new FaultRule("Microsoft.DevTestLab/labs/read", "TargetLabA$", FaultKind.TooManyRequests, NthCall: 1));
        fixture.Host.Faults.Add(new FaultRule("Microsoft.DevTestLab/labs/read", "TargetLabA$", FaultKind.ServiceUnavailable, NthCall: 2));
        try
        {
            var before = fixture.Host.Requests.Snapshot().Count;
            var resource = await fixture.ArmClient().GetGenericResource(new ResourceIdentifier(lab)).GetAsync();
            Assert.Equal("TargetLabA", resource.Value.Data.Name);
            var statuses = fixture.Host.Requests.Snapshot().Skip(before).Where(e => e.Path.Contains("TargetLabA", StringComparison.Ordinal)).Select(e => e.Status).ToList();
            Assert.Equal([429, 503, 200], statuses);
        }
        finally
        {
            fixture.Host.Faults.Clear();
        }
    }

    [Fact]
    public async Task Empty_read_bucket_answers_429_with_retry_hints_and_the_SDK_waits_for_refill()
    {
        fixture.Host.SetLimits(readsPerHour: 2, reset: true);
        try
        {
            var pipeline = fixture.Pipeline();
            var path = $"/subscriptions/{LocalAzureFixture.TargetSubscription}/resourceGroups/rg-team?api-version=2021-04-01";
            var before = fixture.Host.Requests.Snapshot().Count;
            for (var i = 0; i < 3; i++)
            {
                var response = await fixture.SendAsync(pipeline, RequestMethod.Get, path);
                Assert.Equal(200, response.Status);
            }

            var throttled = fixture.Host.Requests.Snapshot().Skip(before).Where(e => e.Status == 429).ToList();
            Assert.NotEmpty(throttled);
            Assert.All(throttled, e => Assert.False(e.IsWrite));
        }
        finally
        {
            fixture.Host.SetLimits(readsPerHour: 12000, writesPerHour: 1200, reset: true);
        }
    }

    [Fact]
    public async Task Connection_reset_fault_aborts_and_the_SDK_retries()
    {
        fixture.Host.Faults.Add(new FaultRule("Microsoft.Resources/subscriptions/resourceGroups/read", "rg-targets$", FaultKind.ConnectionReset, NthCall: 1));
        try
        {
            var response = await fixture.SendAsync(fixture.Pipeline(), RequestMethod.Get, $"/subscriptions/{S1}/resourceGroups/rg-targets?api-version=2021-04-01");
            Assert.Equal(200, response.Status);
            Assert.Contains(fixture.Host.Requests.Snapshot(), e => e.Status == 0 && e.Path.Contains("rg-targets", StringComparison.Ordinal));
        }
        finally
        {
            fixture.Host.Faults.Clear();
        }
    }

    [Fact]
    public async Task Request_log_counts_per_subscription_and_holds_no_secrets()
    {
        var pipeline = fixture.Pipeline();
        await fixture.SendAsync(pipeline, RequestMethod.Get, $"{LocalAzureFixture.FactoryLabId}?api-version=2018-09-15");
        var keys = await fixture.SendAsync(pipeline, RequestMethod.Post, $"/subscriptions/{S1}/resourceGroups/rg-factory/providers/Microsoft.Storage/storageAccounts/{FactoryAccount()}/listKeys?api-version=2025-08-01");
        Assert.Equal(200, keys.Status);
        var summary = fixture.Host.GetRequestSummary();
        Assert.True(summary[S1]!["reads"]!.GetValue<int>() >= 1);
        Assert.True(summary[S1]!["writes"]!.GetValue<int>() >= 1);

        var listKeys = fixture.Host.Requests.Snapshot().Last(e => e.Operation == "Microsoft.Storage/storageAccounts/listkeys/action");
        Assert.True(listKeys.IsWrite);
        Assert.Equal(LocalAzureFixture.ClientId, listKeys.Principal);
        Assert.Equal(S1, listKeys.SubscriptionId);

        var token = await fixture.Credential().GetTokenAsync(new TokenRequestContext(["https://management.azure.com//.default"]), default);
        var key = JsonNode.Parse(keys.Content.ToString())!["keys"]![0]!["value"]!.GetValue<string>();
        foreach (var entry in fixture.Host.Requests.Snapshot())
        {
            var text = entry.ToString();
            Assert.DoesNotContain(LocalAzureFixture.ClientSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotMatch("sig=(?!REDACTED)", entry.Path);
        }
    }

    [Fact]
    public async Task Admin_API_needs_the_key_and_serves_state_requests_and_faults()
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.ArmEndpoint };
        var denied = await client.GetAsync(new Uri("/_localazure/state", UriKind.Relative));
        Assert.Equal(401, (int)denied.StatusCode);

        client.DefaultRequestHeaders.Add("X-LocalAzure-Key", fixture.Host.AdminKey);
        var state = JsonNode.Parse(await client.GetStringAsync(new Uri("/_localazure/state", UriKind.Relative)))!;
        Assert.Contains(state["labs"]!.AsArray(), l => l!["name"]!.GetValue<string>() == "FactoryLab");
        var summary = JsonNode.Parse(await client.GetStringAsync(new Uri("/_localazure/requests/summary", UriKind.Relative)))!;
        Assert.NotNull(summary.AsObject());

        using var rule = new StringContent("""{"operation":"Microsoft.DevTestLab/labs/read","resourcePattern":"TargetLabB$","kind":"InternalServerError","nthCall":1}""", System.Text.Encoding.UTF8, "application/json");
        var added = await client.PostAsync(new Uri("/_localazure/faults", UriKind.Relative), rule);
        Assert.Equal(200, (int)added.StatusCode);
        Assert.Single(fixture.Host.Faults.Rules);
        var cleared = await client.DeleteAsync(new Uri("/_localazure/faults", UriKind.Relative));
        Assert.Equal(200, (int)cleared.StatusCode);
        Assert.Empty(fixture.Host.Faults.Rules);
    }

    private string FactoryAccount()
    {
        lock (fixture.Host.Context.World.Sync)
        {
            return fixture.Host.Context.World.Labs.Values.Single(l => l.Name == "FactoryLab").StorageAccountName;
        }
    }
}
