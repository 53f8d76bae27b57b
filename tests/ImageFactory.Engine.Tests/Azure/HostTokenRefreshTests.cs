using Azure.Core;
using ImageFactory.Engine.Azure;

namespace ImageFactory.Engine.Tests.Azure;

/// <summary>
/// The Az context's token is refreshed through the host before it runs out. Every case here is answered by the host
/// token, so the rest of the chain (which would probe managed identity) is never reached.
/// </summary>
public sealed class HostTokenRefreshTests
{
    private static readonly TokenRequestContext Arm = new(["https://management.azure.com//.default"]);

    [Fact]
    public async Task A_token_with_more_than_five_minutes_left_is_used_as_it_is()
    {
        var refreshes = 0;
        var host = new ExternalAccessToken("first", DateTimeOffset.UtcNow.AddMinutes(50), "test")
        {
            Refresh = _ => { refreshes++; return Task.FromResult<ExternalAccessToken?>(null); },
        };

        var token = await FactoryCredentials.Create(FactoryAzureEnvironment.AzureCloud, host).GetTokenAsync(Arm, CancellationToken.None);

        Assert.Equal("first", token.Token);
        Assert.Equal(0, refreshes);
    }

    [Fact]
    public async Task A_token_near_its_end_is_replaced_by_the_hosts_fresh_one_once()
    {
        var refreshes = 0;
        var host = new ExternalAccessToken("first", DateTimeOffset.UtcNow.AddMinutes(3), "test")
        {
            Refresh = _ =>
            {
                refreshes++;
                return Task.FromResult<ExternalAccessToken?>(new ExternalAccessToken("second", DateTimeOffset.UtcNow.AddMinutes(60), "test"));
            },
        };
        var credential = FactoryCredentials.Create(FactoryAzureEnvironment.AzureCloud, host);

        var first = await credential.GetTokenAsync(Arm, CancellationToken.None);
        var second = await credential.GetTokenAsync(Arm, CancellationToken.None);

        Assert.Equal("second", first.Token);
        Assert.Equal("second", second.Token);
        Assert.Equal(1, refreshes);
    }

    [Fact]
    public async Task When_the_host_has_nothing_fresh_the_current_token_serves_while_it_lasts()
    {
        var refreshes = 0;
        var host = new ExternalAccessToken("first", DateTimeOffset.UtcNow.AddMinutes(3), "test")
        {
            Refresh = _ =>
            {
                refreshes++;
                throw new InvalidOperationException("The host is busy.");
            },
        };
        var credential = FactoryCredentials.Create(FactoryAzureEnvironment.AzureCloud, host);

        Assert.Equal("first", (await credential.GetTokenAsync(Arm, CancellationToken.None)).Token);
        // Asked again at once: the host is not asked again within 30 s.
        Assert.Equal("first", (await credential.GetTokenAsync(Arm, CancellationToken.None)).Token);
        Assert.Equal(1, refreshes);
    }
}
