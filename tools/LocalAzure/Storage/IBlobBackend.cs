namespace LocalAzure.Storage;

/// <summary>
/// What the ARM side needs from blob storage. The production implementation wraps
/// <see cref="LocalAzure.Blobs.BlobService"/>; keeping the seam narrow keeps handlers independent of Azurite.
/// </summary>
internal interface IBlobBackend
{
    Uri GetAccountEndpoint(string account);

    string GetAccountKey(string account);

    Task CreatePageBlobAsync(
        string account, string container, string blobName, long realSizeBytes, long modelledSizeBytes,
        IDictionary<string, string>? metadata, CancellationToken cancellationToken);

    Task CreateBlockBlobAsync(string account, string container, string blobName, BinaryData content, CancellationToken cancellationToken);

    /// <summary>A read-only SAS on the blob front; its lifetime is modelled.</summary>
    Uri GetReadSasUri(string account, string container, string blobName, TimeSpan modelledLifetime);

    /// <summary>A create/write SAS on the blob front (DevTest Labs generateUploadUri).</summary>
    Uri GetWriteSasUri(string account, string container, string blobName, TimeSpan modelledLifetime);

    void RevokeSas(string account, string container, string blobName);

    Task<IReadOnlyList<StoredBlob>> ListBlobsAsync(string account, string? container, CancellationToken cancellationToken);

    /// <summary>Blob copies for inspection (any JSON-serialisable shape).</summary>
    object GetCopiesForInspection();
}

/// <summary>One stored blob: its kind and modelled length.</summary>
internal sealed record StoredBlob(string Account, string Container, string Name, bool IsPageBlob, long ModelledLength, string? CopyStatus);
