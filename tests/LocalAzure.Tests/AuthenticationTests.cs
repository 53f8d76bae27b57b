using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;

namespace LocalAzure.Tests;

[Collection(LocalAzureTestGroup.Name)]
public sealed class AuthenticationTests(LocalAzureFixture fixture)
{
    [Fact]
    public async Task ClientSecretCredential_gets_a_token()
    {
        var token = await fixture.Credential().GetTokenAsync(new TokenRequestContext(["https://management.azure.com//.default"]), default);
        Assert.False(string.IsNullOrEmpty(token.Token));
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(50));
    }

    [Fact]
    public async Task Wrong_secret_fails_with_invalid_client()
    {
        var credential = fixture.Credential(secret: "not-the-secret");
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(async () =>
            await credential.GetTokenAsync(new TokenRequestContext(["https://management.azure.com//.default"]), default));
        Assert.Contains("invalid_client", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvironmentCredential_works_from_AZURE_variables()
    {
        var names = new[] { "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST" };
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("AZURE_TENANT_ID", LocalAzureFixture.Tenant);
            Environment.SetEnvironmentVariable("AZURE_CLIENT_ID", LocalAzureFixture.ClientId);
            Environment.SetEnvironmentVariable("AZURE_CLIENT_SECRET", LocalAzureFixture.ClientSecret);
            Environment.SetEnvironmentVariable("AZURE_AUTHORITY_HOST", fixture.Host.AuthorityHost.AbsoluteUri);
            var credential = new EnvironmentCredential(new EnvironmentCredentialOptions { DisableInstanceDiscovery = true });
            var client = new ArmClient(credential, LocalAzureFixture.FactorySubscription, fixture.ArmOptions());
            var lab = await client.GetGenericResource(new ResourceIdentifier(LocalAzureFixture.FactoryLabId)).GetAsync();
            Assert.Equal("FactoryLab", lab.Value.Data.Name);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Fact]
    public async Task Unpinned_ArmClient_resolves_api_versions_from_provider_documents()
    {
        var options = new ArmClientOptions { Environment = new ArmEnvironment(fixture.Host.ArmEndpoint, "https://management.azure.com/") };
        var client = new ArmClient(fixture.Credential(), LocalAzureFixture.FactorySubscription, options);
        var image = await client.GetGenericResource(new ResourceIdentifier(LocalAzureFixture.FactoryLabId + "/customimages/linux-image")).GetAsync();
        Assert.Equal("Microsoft.DevTestLab/labs/customImages", image.Value.Data.ResourceType.ToString());
        var disk = fixture.Host.Requests.Snapshot().Last(e => e.Path.Contains("/providers/Microsoft.DevTestLab?", StringComparison.Ordinal));
        Assert.Equal(200, disk.Status);
    }

    [Fact]
    public async Task ArmClient_default_subscription_and_subscription_list()
    {
        var client = new ArmClient(fixture.Credential(), default(string), fixture.ArmOptions());
        SubscriptionResource subscription = await client.GetDefaultSubscriptionAsync();
        Assert.Equal(LocalAzureFixture.FactorySubscription, subscription.Data.SubscriptionId);
        var names = new List<string>();
        await foreach (var s in client.GetSubscriptions().GetAllAsync())
        {
            names.Add(s.Data.DisplayName);
        }

        // Forbidden has no role assignment for this principal: not listed.
        Assert.Equal(["Factory", "Targets"], names);
    }

    [Fact]
    public async Task Missing_malformed_and_expired_tokens_get_401_with_WWW_Authenticate()
    {
        var path = $"/subscriptions/{LocalAzureFixture.FactorySubscription}/resourceGroups/rg-factory?api-version=2021-04-01";
        var missing = await fixture.RawAsync(path, null);
        Assert.Equal(401, missing.Status);
        Assert.Equal("AuthenticationFailed", Code(missing.Body));
        Assert.True(missing.Message.Headers.WwwAuthenticate.Count > 0);

        var malformed = await fixture.RawAsync(path, "Bearer not.a-token");
        Assert.Equal(401, malformed.Status);
        Assert.Equal("InvalidAuthenticationToken", Code(malformed.Body));

        var principal = fixture.Host.Context.World.Principals[0];
        var expired = fixture.Host.Context.Tokens.Issue(principal, "https://management.azure.com/", TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow.AddHours(-2));
        var old = await fixture.RawAsync(path, "Bearer " + expired);
        Assert.Equal(401, old.Status);
        Assert.Equal("ExpiredAuthenticationToken", Code(old.Body));
    }

    [Fact]
    public async Task Token_from_another_tenant_gets_401_InvalidAuthenticationTokenTenant()
    {
        var credential = fixture.Credential(LocalAzureFixture.OtherTenantClientId, LocalAzureFixture.OtherTenantSecret, LocalAzureFixture.OtherTenant);
        var token = await credential.GetTokenAsync(new TokenRequestContext(["https://management.azure.com//.default"]), default);
        var result = await fixture.RawAsync($"/subscriptions/{LocalAzureFixture.FactorySubscription}?api-version=2022-12-01", "Bearer " + token.Token);
        Assert.Equal(401, result.Status);
        Assert.Equal("InvalidAuthenticationTokenTenant", Code(result.Body));
    }

    [Fact]
    public async Task Foreign_subscription_gets_403_AuthorizationFailed_naming_client_action_and_scope()
    {
        var client = fixture.ArmClient();
        var id = new ResourceIdentifier(LocalAzureFixture.LabId(LocalAzureFixture.ForbiddenSubscription, "rg-secret", "SecretLab"));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetGenericResource(id).GetAsync());
        Assert.Equal(403, e.Status);
        Assert.Equal("AuthorizationFailed", e.ErrorCode);
        Assert.Contains(LocalAzureFixture.ClientId, e.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.DevTestLab/labs/read", e.Message, StringComparison.Ordinal);
        Assert.Contains("/subscriptions/" + LocalAzureFixture.ForbiddenSubscription, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reader_reads_but_gets_403_on_writes()
    {
        var pipeline = fixture.Pipeline(fixture.Credential(LocalAzureFixture.ReaderClientId, LocalAzureFixture.ReaderSecret));
        var lab = LocalAzureFixture.FactoryLabId;
        var read = await fixture.SendAsync(pipeline, RequestMethod.Get, $"{lab}?api-version=2018-09-15");
        Assert.Equal(200, read.Status);
        var write = await fixture.SendAsync(pipeline, RequestMethod.Patch, $"{lab}/customimages/linux-image?api-version=2018-09-15", new JsonObject { ["tags"] = new JsonObject { ["x"] = "y" } });
        Assert.Equal(403, write.Status);
        Assert.Contains("Microsoft.DevTestLab/labs/customimages/write", write.Content.ToString(), StringComparison.Ordinal);
    }

    private static string? Code(string body) => JsonNode.Parse(body)?["error"]?["code"]?.GetValue<string>();
}
