using Azure;
using Azure.Storage;
using Azure.Storage.Sas;
using LocalAzure.Blobs;
using LocalAzure.Common;

namespace LocalAzure.Storage;

/// <summary>The production <see cref="IBlobBackend"/>: Azurite behind the blob engineer's front.</summary>
internal sealed class BlobServiceBackend(BlobService service, IModelClock clock) : IBlobBackend
{
    public BlobService Service { get; } = service;

    public Uri GetAccountEndpoint(string account) => Service.GetAccountEndpoint(account);

    public string GetAccountKey(string account) => Service.GetAccountKey(account);

    public Task CreatePageBlobAsync(
        string account, string container, string blobName, long realSizeBytes, long modelledSizeBytes,
        IDictionary<string, string>? metadata, CancellationToken cancellationToken) =>
        Service.CreatePageBlobAsync(account, container, blobName, realSizeBytes, modelledSizeBytes, metadata, cancellationToken);

    public Task CreateBlockBlobAsync(string account, string container, string blobName, BinaryData content, CancellationToken cancellationToken) =>
        Service.CreateBlockBlobAsync(account, container, blobName, content, cancellationToken);

    public Uri GetReadSasUri(string account, string container, string blobName, TimeSpan modelledLifetime) =>
        Service.GetReadSasUri(account, container, blobName, modelledLifetime);

    public Uri GetWriteSasUri(string account, string container, string blobName, TimeSpan modelledLifetime)
    {
        // The front accepts any SAS Azurite accepts: sign with the account key, expiry in real time.
        var builder = new BlobSasBuilder(BlobSasPermissions.Read | BlobSasPermissions.Create | BlobSasPermissions.Write, DateTimeOffset.UtcNow + clock.ToReal(modelledLifetime) + TimeSpan.FromMinutes(5))
        {
            BlobContainerName = container,
            BlobName = blobName,
            Resource = "b",
            StartsOn = DateTimeOffset.UtcNow.AddMinutes(-5),
            Protocol = SasProtocol.Https,
        };
        var sas = builder.ToSasQueryParameters(new StorageSharedKeyCredential(account, GetAccountKey(account)));
        var endpoint = GetAccountEndpoint(account);
        var uri = new UriBuilder(new Uri(endpoint, Uri.EscapeDataString(container) + "/" + string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString))))
        {
            Query = sas.ToString(),
        };
        return uri.Uri;
    }

    public void RevokeSas(string account, string container, string blobName) => Service.RevokeSas(account, container, blobName);

    public async Task<IReadOnlyList<StoredBlob>> ListBlobsAsync(string account, string? container, CancellationToken cancellationToken)
    {
        IReadOnlyList<BlobItemSnapshot> items;
        try
        {
            items = await Service.ListBlobsAsync(account, container, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The container does not exist (yet): no blobs.
            return [];
        }

        return [.. items.Select(i => new StoredBlob(
            i.Account, i.Container, i.Name, IsPage(i.BlobType),
            i.ModelledLength, i.CopyStatus?.ToString()))];
    }

    public object GetCopiesForInspection() => Service.GetCopies();

    private static bool IsPage(string blobType) =>
        string.Equals(blobType, "PageBlob", StringComparison.OrdinalIgnoreCase)
        || string.Equals(blobType, "Page", StringComparison.OrdinalIgnoreCase);
}
