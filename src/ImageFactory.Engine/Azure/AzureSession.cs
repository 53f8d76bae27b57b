using Azure.Core;
using Azure.ResourceManager;
using Azure.Storage.Blobs;

namespace ImageFactory.Engine.Azure;

/// <summary>
/// Everything the factory needs to talk to one Azure: the gateways, over one ArmClient (one pipeline, one token
/// cache) with pinned api-versions and retries that honour the service's Retry-After.
/// </summary>
public sealed class AzureSession
{
    private AzureSession(FactoryAzureEnvironment environment, ILabGateway labs, IDiskGateway disks, IStorageAccountGateway storageAccounts, IBlobGatewayFactory blobs)
    {
        Environment = environment;
        Labs = labs;
        Disks = disks;
        StorageAccounts = storageAccounts;
        Blobs = blobs;
    }

    public FactoryAzureEnvironment Environment { get; }

    public ILabGateway Labs { get; }

    public IDiskGateway Disks { get; }

    public IStorageAccountGateway StorageAccounts { get; }

    public IBlobGatewayFactory Blobs { get; }

    /// <summary>Signs in with the credential chain (the host's token first, when given) and opens a session.</summary>
    public static AzureSession Connect(FactoryAzureEnvironment environment, ExternalAccessToken? hostToken) =>
        Create(environment, FactoryCredentials.Create(environment, hostToken));

    public static AzureSession Create(FactoryAzureEnvironment environment, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var options = new ArmClientOptions
        {
            Environment = new ArmEnvironment(environment.ResourceManagerEndpoint, environment.ResourceManagerAudience),
        };
        options.Retry.MaxRetries = 8;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = TimeSpan.FromSeconds(1);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(60);
        options.Diagnostics.IsLoggingContentEnabled = false;
        options.SetApiVersion(new ResourceType("Microsoft.DevTestLab/labs"), ApiVersions.DevTestLabs);
        options.SetApiVersion(new ResourceType("Microsoft.DevTestLab/labs/virtualmachines"), ApiVersions.DevTestLabs);
        options.SetApiVersion(new ResourceType("Microsoft.DevTestLab/labs/customimages"), ApiVersions.DevTestLabs);
        options.SetApiVersion(new ResourceType("Microsoft.Compute/disks"), ApiVersions.Disks);
        options.SetApiVersion(new ResourceType("Microsoft.Storage/storageAccounts"), ApiVersions.Storage);
        var client = new ArmClient(credential, defaultSubscriptionId: null, options);
        var rest = new ArmRestClient(client);

        var blobOptions = new BlobClientOptions();
        blobOptions.Retry.MaxRetries = 6;
        blobOptions.Retry.Mode = RetryMode.Exponential;
        blobOptions.Diagnostics.IsLoggingContentEnabled = false;
        var storageAccounts = new ArmStorageAccountGateway(rest);
        return new AzureSession(
            environment,
            new ArmLabGateway(rest),
            new ArmDiskGateway(rest),
            storageAccounts,
            new BlobGatewayFactory(storageAccounts, blobOptions));
    }
}
