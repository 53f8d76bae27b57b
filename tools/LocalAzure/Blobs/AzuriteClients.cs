using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace LocalAzure.Blobs;

/// <summary>
/// The front's own access to Azurite: an HttpClient that trusts the local CA (for proxying) and shared-key SDK
/// clients per account (for seeding, inspection and modelling, never seen by callers).
/// </summary>
internal sealed class AzuriteClients : IDisposable
{
    private readonly Uri azuriteBase;
    private readonly Dictionary<string, StorageSharedKeyCredential> credentials;
    private readonly ConcurrentDictionary<string, BlobServiceClient> services = new(StringComparer.Ordinal);
    private readonly BlobClientOptions clientOptions;
    private readonly X509Certificate2 caCertificate;

    public AzuriteClients(Uri azuriteBase, IReadOnlyList<StorageAccountSeed> accounts, string caCertificatePath)
    {
        this.azuriteBase = azuriteBase;
        credentials = accounts.ToDictionary(
            account => account.Name, account => new StorageSharedKeyCredential(account.Name, account.Base64Key), StringComparer.Ordinal);
        caCertificate = X509CertificateLoader.LoadCertificateFromFile(caCertificatePath);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            MaxConnectionsPerServer = 256,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateAzuriteCertificate },
        };
        Http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        clientOptions = new BlobClientOptions
        {
            Transport = new HttpClientTransport(Http),
            Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(50), NetworkTimeout = TimeSpan.FromSeconds(60) },
        };
    }

    /// <summary>Proxying client: no redirects, no decompression, no cookies, trusts the local CA.</summary>
    public HttpClient Http { get; }

    public bool HasAccount(string account) => credentials.ContainsKey(account);

    public StorageSharedKeyCredential Credential(string account) =>
        credentials.TryGetValue(account, out var credential)
            ? credential
            : throw new ArgumentException($"Unknown storage account '{account}'.", nameof(account));

    public BlobServiceClient Service(string account) =>
        services.GetOrAdd(account, name => new BlobServiceClient(new Uri(azuriteBase, name), Credential(name), clientOptions));

    public BlobClient Blob(BlobAddress address) =>
        Service(address.Account).GetBlobContainerClient(address.Container).GetBlobClient(address.Blob);

    /// <summary>Real properties of a blob in Azurite, or null if it does not exist.</summary>
    public async Task<BlobProperties?> TryGetPropertiesAsync(BlobAddress address, CancellationToken cancellationToken)
    {
        if (!HasAccount(address.Account))
        {
            return null;
        }

        try
        {
            var response = await Blob(address).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Value;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Leaves the blob as Azure leaves an aborted or failed copy's destination: zero length, full metadata.</summary>
    public async Task EmptyBlobAsync(BlobAddress address, CancellationToken cancellationToken)
    {
        var properties = await TryGetPropertiesAsync(address, cancellationToken).ConfigureAwait(false);
        if (properties is null)
        {
            return;
        }

        var headers = new BlobHttpHeaders
        {
            ContentType = properties.ContentType,
            ContentEncoding = properties.ContentEncoding,
            ContentLanguage = properties.ContentLanguage,
            ContentDisposition = properties.ContentDisposition,
            CacheControl = properties.CacheControl,
        };
        var container = Service(address.Account).GetBlobContainerClient(address.Container);
        switch (properties.BlobType)
        {
            case BlobType.Page:
                await container.GetPageBlobClient(address.Blob).CreateAsync(
                    0, new PageBlobCreateOptions { Metadata = properties.Metadata, HttpHeaders = headers }, cancellationToken)
                    .ConfigureAwait(false);
                break;
            case BlobType.Append:
                await container.GetAppendBlobClient(address.Blob).CreateAsync(
                    new AppendBlobCreateOptions { Metadata = properties.Metadata, HttpHeaders = headers }, cancellationToken)
                    .ConfigureAwait(false);
                break;
            default:
                await container.GetBlobClient(address.Blob).UploadAsync(
                    BinaryData.Empty, new BlobUploadOptions { Metadata = properties.Metadata, HttpHeaders = headers }, cancellationToken)
                    .ConfigureAwait(false);
                break;
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        caCertificate.Dispose();
    }

    private bool ValidateAzuriteCertificate(
        object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(caCertificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }
}
