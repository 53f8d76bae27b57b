using System.Diagnostics;
using System.Security.Cryptography;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using LocalAzure.Blobs;
using LocalAzure.Common;

namespace LocalAzure.Tests.Blobs;

/// <summary>
/// One blob service (Azurite + front) for the blob tests: accounts "acct1" and "acct2", 1 modelled minute = 50 real
/// ms. Clients trust the local CA through SSL_CERT_FILE / SSL_CERT_DIR set before the test process starts.
/// </summary>
public sealed class BlobServiceFixture : IAsyncLifetime
{
    public const string Source = "acct1";
    public const string Target = "acct2";

    public ScaledTestClock Clock { get; } = new(realMillisecondsPerModelledMinute: 50);

    public TestFaultInjector Faults { get; } = new();

    public TestRequestLog Log { get; } = new();

    public BlobService Service { get; private set; } = null!;

    public TimeSpan StartDuration { get; private set; }

    public TlsMaterial Tls { get; } = TlsMaterial.EnsureCreated(
        Environment.GetEnvironmentVariable("LOCALAZURE_TLS_DIR") is { Length: > 0 } directory ? directory : "/tmp/la-tls");

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    public async Task InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        Service = await BlobService.StartAsync(
            new BlobServiceOptions
            {
                Accounts = [new StorageAccountSeed(Source, NewKey()), new StorageAccountSeed(Target, NewKey())],
                Tls = Tls,
                Clock = Clock,
                Faults = Faults,
                RequestLog = Log,
            },
            CancellationToken.None);
        StartDuration = stopwatch.Elapsed;
    }

    public async Task DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
    }

    public static BlobClientOptions ClientOptions(int maxRetries = 2) => new()
    {
        Retry =
        {
            MaxRetries = maxRetries,
            Mode = RetryMode.Fixed,
            Delay = TimeSpan.FromMilliseconds(20),
            MaxDelay = TimeSpan.FromMilliseconds(100),
            NetworkTimeout = TimeSpan.FromSeconds(20),
        },
    };

    /// <summary>A shared-key client on the front.</summary>
    public BlobServiceClient SharedKeyClient(string account, int maxRetries = 2) =>
        new(Service.GetAccountEndpoint(account), new StorageSharedKeyCredential(account, Service.GetAccountKey(account)),
            ClientOptions(maxRetries));

    public static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];
}

[CollectionDefinition(Name)]
public sealed class BlobsTestGroup : ICollectionFixture<BlobServiceFixture>
{
    public const string Name = "Blobs";
}
