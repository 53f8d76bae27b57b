namespace LocalAzure.Blobs;

/// <summary>State of a modelled asynchronous copy (the values of x-ms-copy-status).</summary>
public enum BlobCopyState
{
    Pending,
    Success,
    Failed,
    Aborted,
}

/// <summary>One asynchronous copy as the model sees it. Bytes and times are modelled.</summary>
public sealed record BlobCopySnapshot(
    string CopyId,
    string SourceAccount,
    string SourceContainer,
    string SourceBlob,
    string DestinationAccount,
    string DestinationContainer,
    string DestinationBlob,
    BlobCopyState Status,
    long BytesCopied,
    long TotalBytes,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime,
    string? StatusDescription,
    double CurrentMiBPerSecond)
{
    /// <summary>Modelled duration from start to end; null while pending.</summary>
    public TimeSpan? Duration => EndTime - StartTime;
}

/// <summary>One blob as stored, for inspection: real length (bytes in Azurite) and modelled length (what Azure would hold).</summary>
public sealed record BlobItemSnapshot(
    string Account,
    string Container,
    string Name,
    string BlobType,
    long RealLength,
    long ModelledLength,
    BlobCopyState? CopyStatus,
    string? CopyId);
