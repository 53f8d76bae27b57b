using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Tests.Fakes;

namespace ImageFactory.Engine.Tests.Azure;

/// <summary>The bearer token rides along with every pipeline request: links from responses must point back to ARM.</summary>
public sealed class ArmRestClientHostTests
{
    private readonly ScriptedTransport transport = new();
    private readonly ArmRestClient client;

    public ArmRestClientHostTests()
    {
        client = new ArmRestClient(transport.CreatePipeline(), new Uri("https://management.example.test/"));
    }

    [Theory]
    [InlineData("https://attacker.example.test/next")]
    [InlineData("https://management.example.test:8443/next")]
    [InlineData("http://management.example.test/next")]
    public async Task A_next_link_to_another_host_is_not_followed(string nextLink)
    {
        transport.Then(200, $$"""{"value":[{"name":"a"}],"nextLink":"{{nextLink}}"}""");

        var failure = await Assert.ThrowsAsync<AzureRequestException>(async () =>
        {
            await foreach (var unused in client.ListAsync("/subscriptions/s/providers/Microsoft.DevTestLab/labs", "2018-09-15", CancellationToken.None))
            {
                _ = unused;
            }
        });

        Assert.Equal("UnexpectedHost", failure.ErrorCode);
        Assert.Single(transport.Requests);
    }

    [Fact]
    public async Task A_next_link_on_the_same_host_is_followed()
    {
        transport.Then(200, """{"value":[{"name":"a"}],"nextLink":"https://management.example.test/page2"}""")
            .Then(200, """{"value":[{"name":"b"}]}""");

        var names = new List<string>();
        await foreach (var item in client.ListAsync("/subscriptions/s/providers/Microsoft.DevTestLab/labs", "2018-09-15", CancellationToken.None))
        {
            names.Add(item["name"]!.GetValue<string>());
        }

        Assert.Equal(["a", "b"], names);
    }
}
