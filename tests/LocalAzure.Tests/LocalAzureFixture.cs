using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.ResourceManager;
using LocalAzure.Common;
using LocalAzure.Hosting;
using LocalAzure.World;

namespace LocalAzure.Tests;

/// <summary>
/// Starts one local Azure (samples/worlds/small.json) for the whole suite. Needs the TLS trust set up before the test
/// process starts: LOCALAZURE_TLS_DIR, SSL_CERT_FILE and SSL_CERT_DIR (see docs/local-azure.md).
/// </summary>
public sealed class LocalAzureFixture : IAsyncLifetime
{
    public const string Tenant = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
    public const string OtherTenant = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
    public const string FactorySubscription = "11111111-1111-4111-8111-111111111111";
    public const string TargetSubscription = "22222222-2222-4222-8222-222222222222";
    public const string ForbiddenSubscription = "33333333-3333-4333-8333-333333333333";
    public const string ClientId = "c0000000-0000-4000-8000-000000000001";
    public const string ClientSecret = "factory-secret-1";
    public const string ReaderClientId = "c0000000-0000-4000-8000-000000000002";
    public const string ReaderSecret = "reader-secret-2";
    public const string OtherTenantClientId = "c0000000-0000-4000-8000-000000000003";
    public const string OtherTenantSecret = "other-tenant-secret-3";
    public const string DtlVersion = "2018-09-15";

    private LocalAzureHost? _host;

    public LocalAzureHost Host => _host ?? throw new InvalidOperationException("The local Azure is not started.");

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string LabId(string subscription, string group, string lab) =>
        $"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.DevTestLab/labs/{lab}";

    public static string FactoryLabId => LabId(FactorySubscription, "rg-factory", "FactoryLab");

    public async Task InitializeAsync()
    {
        var tlsDirectory = Environment.GetEnvironmentVariable("LOCALAZURE_TLS_DIR");
        var certFile = Environment.GetEnvironmentVariable("SSL_CERT_FILE");
        if (string.IsNullOrEmpty(tlsDirectory) || !File.Exists(Path.Combine(tlsDirectory, "trust-bundle.pem"))
            || !string.Equals(Path.GetFullPath(certFile ?? "/"), Path.GetFullPath(Path.Combine(tlsDirectory, "trust-bundle.pem")), StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                "The local Azure tests need TLS trust set up before the test process starts. Run:\n"
                + "  dotnet run --project tools/LocalAzure -- tls --dir /tmp/la-tls\n"
                + "  SSL_CERT_FILE=/tmp/la-tls/trust-bundle.pem SSL_CERT_DIR=/tmp/la-tls LOCALAZURE_TLS_DIR=/tmp/la-tls dotnet test tests/LocalAzure.Tests\n"
                + $"(now: LOCALAZURE_TLS_DIR='{tlsDirectory}', SSL_CERT_FILE='{certFile}').");
        }

        var world = WorldFile.Load(Path.Combine(RepositoryRoot, "samples", "worlds", "small.json"));
        _host = await LocalAzureHost.StartAsync(new LocalAzureOptions { World = world, Tls = TlsMaterial.EnsureCreated(tlsDirectory) });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public ClientSecretCredential Credential(string clientId = ClientId, string secret = ClientSecret, string tenant = Tenant) =>
        new(tenant, clientId, secret, new ClientSecretCredentialOptions
        {
            AuthorityHost = Host.AuthorityHost,
            DisableInstanceDiscovery = true,
        });

    public ArmClientOptions ArmOptions()
    {
        var options = new ArmClientOptions
        {
            Environment = new ArmEnvironment(Host.ArmEndpoint, "https://management.azure.com/"),
        };
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        options.SetApiVersion(new ResourceType("Microsoft.DevTestLab/labs"), DtlVersion);
        options.SetApiVersion(new ResourceType("Microsoft.DevTestLab/labs/customImages"), DtlVersion);
        options.SetApiVersion(new ResourceType("Microsoft.DevTestLab/labs/virtualMachines"), DtlVersion);
        options.SetApiVersion(new ResourceType("Microsoft.Compute/virtualMachines"), "2025-11-01");
        options.SetApiVersion(new ResourceType("Microsoft.Compute/disks"), "2025-01-02");
        options.SetApiVersion(new ResourceType("Microsoft.Storage/storageAccounts"), "2025-08-01");
        return options;
    }

    public ArmClient ArmClient(TokenCredential? credential = null) => new(credential ?? Credential(), FactorySubscription, ArmOptions());

    /// <summary>An Azure.Core pipeline (bearer token, retries honouring retry-after-ms) for raw ARM calls.</summary>
    public HttpPipeline Pipeline(TokenCredential? credential = null) =>
        HttpPipelineBuilder.Build(ArmOptions(), new BearerTokenAuthenticationPolicy(credential ?? Credential(), "https://management.azure.com//.default"));

    public async Task<Response> SendAsync(HttpPipeline pipeline, RequestMethod method, string pathAndQuery, JsonNode? body = null)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(pathAndQuery.StartsWith("https://", StringComparison.Ordinal) ? new Uri(pathAndQuery) : new Uri(Host.ArmEndpoint, pathAndQuery));
        if (body is not null)
        {
            message.Request.Headers.Add("Content-Type", "application/json");
            message.Request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        }

        await pipeline.SendAsync(message, CancellationToken.None);
        return message.Response;
    }

    /// <summary>Follows an LRO's Location header until it stops answering 202 (honouring retry-after-ms).</summary>
    public async Task<Response> PollLocationAsync(HttpPipeline pipeline, Response started)
    {
        var response = started;
        for (var i = 0; i < 2000 && (response.Status == 202 || (i == 0 && response.Status == 201)); i++)
        {
            var location = response.Headers.TryGetValue("Location", out var l) ? l : throw new InvalidOperationException("202 without Location");
            var wait = response.Headers.TryGetValue("retry-after-ms", out var ms) ? int.Parse(ms, System.Globalization.CultureInfo.InvariantCulture) : 100;
            await Task.Delay(wait);
            response = await SendAsync(pipeline, RequestMethod.Get, location!);
        }

        return response;
    }

    /// <summary>A plain HttpClient call with an explicit Authorization header (for 401 cases).</summary>
    public async Task<(int Status, string Body, HttpResponseMessage Message)> RawAsync(string pathAndQuery, string? authorization)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Host.ArmEndpoint, pathAndQuery));
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "samples", "worlds", "small.json")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("samples/worlds/small.json not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class LocalAzureTestGroup : ICollectionFixture<LocalAzureFixture>
{
    public const string Name = "LocalAzure";
}
