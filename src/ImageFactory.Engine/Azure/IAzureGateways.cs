namespace ImageFactory.Engine.Azure;

/// <summary>The DevTest Labs calls the factory makes (api-version 2018-09-15).</summary>
public interface ILabGateway
{
    Task<IReadOnlyList<LabInfo>> ListLabsAsync(string subscriptionId, CancellationToken cancellationToken);

    Task<LabInfo?> GetLabAsync(string subscriptionId, string resourceGroup, string labName, CancellationToken cancellationToken);

    Task<IReadOnlyList<LabVmInfo>> ListVirtualMachinesAsync(LabInfo lab, CancellationToken cancellationToken);

    Task<IReadOnlyList<CustomImageInfo>> ListCustomImagesAsync(LabInfo lab, CancellationToken cancellationToken);

    Task<CustomImageInfo> CreateCustomImageFromVhdAsync(LabInfo lab, CustomImageFromVhdRequest request, CancellationToken cancellationToken);

    Task<bool> DeleteCustomImageAsync(string customImageId, CancellationToken cancellationToken);

    Task<bool> DeleteVirtualMachineAsync(string virtualMachineId, CancellationToken cancellationToken);
}

/// <summary>Managed-disk export: a read SAS for a limited time, and its revocation.</summary>
public interface IDiskGateway
{
    /// <summary>The disk's size in bytes (null when the service does not say).</summary>
    Task<long?> GetSizeBytesAsync(string diskId, CancellationToken cancellationToken);

    Task<Uri> GrantReadAccessAsync(string diskId, TimeSpan duration, CancellationToken cancellationToken);

    Task RevokeAccessAsync(string diskId, CancellationToken cancellationToken);
}

/// <summary>Storage accounts: where their blobs are, and a key that opens them.</summary>
public interface IStorageAccountGateway
{
    Task<StorageAccountInfo> GetAsync(string storageAccountId, CancellationToken cancellationToken);

    /// <summary>The first key. Kept in memory only; callers never log or output it.</summary>
    Task<string> GetKeyAsync(string storageAccountId, CancellationToken cancellationToken);
}

/// <summary>One blob container, reached with a shared key (data plane).</summary>
public interface IBlobContainerGateway
{
    Uri ContainerUri { get; }

    Task EnsureExistsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<BlobEntry>> ListAsync(string? prefix, CancellationToken cancellationToken);

    Task<string?> DownloadTextAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>Writes a small text blob; with <paramref name="overwrite"/> false, fails if it exists.</summary>
    Task UploadTextAsync(string blobName, string content, bool overwrite, CancellationToken cancellationToken);

    Task<bool> DeleteIfExistsAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>Starts a server-side copy from <paramref name="source"/> (a SAS URL) into <paramref name="blobName"/>.</summary>
    Task<string> StartCopyAsync(Uri source, string blobName, CancellationToken cancellationToken);

    Task<BlobCopyState> GetCopyStateAsync(string blobName, CancellationToken cancellationToken);

    Task AbortCopyAsync(string blobName, string copyId, CancellationToken cancellationToken);

    Uri GetBlobUri(string blobName);

    /// <summary>A read-only SAS URL for one blob (a copy source), valid for <paramref name="lifetime"/>. Never logged.</summary>
    Uri GetReadSasUri(string blobName, TimeSpan lifetime);
}

public sealed record BlobEntry(string Name, long Length, DateTimeOffset? LastModified, bool IsPageBlob);

public enum CopyStatusKind
{
    Pending,
    Success,
    Failed,
    Aborted,
    None,
}

public sealed record BlobCopyState(CopyStatusKind Status, long BytesCopied, long TotalBytes, string? StatusDescription, string? CopyId);

/// <summary>Opens blob containers of storage accounts found through <see cref="IStorageAccountGateway"/>.</summary>
public interface IBlobGatewayFactory
{
    Task<IBlobContainerGateway> OpenContainerAsync(string storageAccountId, string containerName, CancellationToken cancellationToken);
}
