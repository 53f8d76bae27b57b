using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace ImageFactory.Engine.Azure;

/// <summary>
/// Opens containers with the account's shared key, at the account's own blob endpoint (primaryEndpoints.blob):
/// blob URLs are never built from account names, so national clouds and the local Azure work the same.
/// </summary>
internal sealed class BlobGatewayFactory(IStorageAccountGateway accounts, BlobClientOptions options) : IBlobGatewayFactory
{
    public async Task<IBlobContainerGateway> OpenContainerAsync(string storageAccountId, string containerName, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(storageAccountId, cancellationToken).ConfigureAwait(false);
        var key = await accounts.GetKeyAsync(storageAccountId, cancellationToken).ConfigureAwait(false);
        var accountName = new BlobUriBuilder(account.BlobEndpoint).AccountName;
        if (string.IsNullOrEmpty(accountName))
        {
            accountName = account.Name;
        }

        var containerUri = new Uri(account.BlobEndpoint.AbsoluteUri.TrimEnd('/') + "/" + containerName);
        var client = new BlobContainerClient(containerUri, new StorageSharedKeyCredential(accountName, key), options);
        return new BlobContainerGateway(client);
    }
}

internal sealed class BlobContainerGateway(BlobContainerClient container) : IBlobContainerGateway
{
    public Uri ContainerUri => container.Uri;

    public Uri GetBlobUri(string blobName) => container.GetBlobClient(blobName).Uri;

    public Uri GetReadSasUri(string blobName, TimeSpan lifetime) =>
        container.GetBlobClient(blobName).GenerateSasUri(global::Azure.Storage.Sas.BlobSasPermissions.Read, DateTimeOffset.UtcNow + lifetime);

    public async Task EnsureExistsAsync(CancellationToken cancellationToken) =>
        _ = await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<BlobEntry>> ListAsync(string? prefix, CancellationToken cancellationToken)
    {
        var entries = new List<BlobEntry>();
        try
        {
            await foreach (var item in container.GetBlobsAsync(
                new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new BlobEntry(
                    item.Name,
                    item.Properties.ContentLength ?? 0,
                    item.Properties.LastModified,
                    item.Properties.BlobType == BlobType.Page));
            }
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // No container yet: nothing has been saved.
        }

        return entries;
    }

    public async Task<string?> DownloadTextAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return DecodeText(content.Value.Content);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    public async Task UploadTextAsync(string blobName, string content, bool overwrite, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Conditions = overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        _ = await container.GetBlobClient(blobName).UploadAsync(BinaryData.FromString(content), options, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteIfExistsAsync(string blobName, CancellationToken cancellationToken)
    {
        var response = await container.GetBlobClient(blobName)
            .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    public async Task<string> StartCopyAsync(Uri source, string blobName, CancellationToken cancellationToken)
    {
        var operation = await container.GetBlobClient(blobName).StartCopyFromUriAsync(source, cancellationToken: cancellationToken).ConfigureAwait(false);
        return operation.Id;
    }

    public async Task<BlobCopyState> GetCopyStateAsync(string blobName, CancellationToken cancellationToken)
    {
        BlobProperties properties;
        try
        {
            properties = (await container.GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return new BlobCopyState(CopyStatusKind.None, 0, 0, "The destination blob does not exist.", null);
        }

        var (copied, total) = ParseProgress(properties.CopyProgress);
        var status = properties.BlobCopyStatus switch
        {
            CopyStatus.Pending => CopyStatusKind.Pending,
            CopyStatus.Success => CopyStatusKind.Success,
            CopyStatus.Failed => CopyStatusKind.Failed,
            CopyStatus.Aborted => CopyStatusKind.Aborted,
            _ => CopyStatusKind.None,
        };
        return new BlobCopyState(status, copied, total, properties.CopyStatusDescription, properties.CopyId);
    }

    public async Task AbortCopyAsync(string blobName, string copyId, CancellationToken cancellationToken)
    {
        try
        {
            _ = await container.GetBlobClient(blobName).AbortCopyFromUriAsync(copyId, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 409)
        {
            // Already finished, failed or gone: nothing left to abort.
        }
    }

    /// <summary>
    /// Text of a small blob: UTF-8 unless a byte order mark says otherwise. Records written by the original scripts
    /// went through Windows PowerShell's Out-File, which writes UTF-16 LE with a byte order mark.
    /// </summary>
    internal static string DecodeText(BinaryData content)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var reader = new StreamReader(content.ToStream(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>x-ms-copy-progress is "copied/total" in bytes.</summary>
    internal static (long Copied, long Total) ParseProgress(string? progress)
    {
        if (string.IsNullOrEmpty(progress))
        {
            return (0, 0);
        }

        var parts = progress.Split('/');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var copied)
            && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var total)
                ? (copied, total)
                : (0, 0);
    }
}
