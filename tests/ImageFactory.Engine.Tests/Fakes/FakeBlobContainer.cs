using System.Globalization;
using Azure;
using ImageFactory.Engine.Azure;

namespace ImageFactory.Engine.Tests.Fakes;

/// <summary>How a scripted server-side copy behaves.</summary>
internal sealed record CopyScript
{
    /// <summary>Polls answered Pending before the outcome.</summary>
    public int PendingPolls { get; init; }

    /// <summary>Success, Failed or Aborted; Pending means the copy never finishes.</summary>
    public CopyStatusKind Outcome { get; init; } = CopyStatusKind.Success;

    public long TotalBytes { get; init; } = 1024;

    public string? FailureDescription { get; init; }

    /// <summary>While this answers true (asked at each poll), the copy stays Pending.</summary>
    public Func<bool>? PendingWhile { get; init; }

    /// <summary>Called with the poll number (1, 2, ...) at each poll, before it is answered.</summary>
    public Action<int>? OnPoll { get; init; }

    /// <summary>Thrown by StartCopy; with <see cref="StartCreatesBlob"/> the blob and its copy exist anyway.</summary>
    public Exception? StartFailure { get; init; }

    public bool StartCreatesBlob { get; init; }

    public static CopyScript Immediate { get; } = new();

    public static CopyScript Never { get; } = new() { Outcome = CopyStatusKind.Pending };
}

/// <summary>
/// One in-memory blob container: blobs with their text, scripted copies (keyed by the source disk's name), and
/// counts of aborts, deletes and concurrently running copies.
/// </summary>
internal sealed class FakeBlobContainer(Uri containerUri) : IBlobContainerGateway
{
    private readonly object gate = new();
    private readonly Dictionary<string, FakeBlob> blobs = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> aborts = [];
    private readonly List<string> deletes = [];
    private readonly List<Uri> copySources = [];
    private readonly List<(string BlobName, TimeSpan Lifetime)> readSas = [];
    private int activeCopies;
    private int maxConcurrentCopies;
    private int nextCopyId;

    public FakeBlobContainer()
        : this(new Uri("https://afactory.blob.example.test/imagefactoryvhds"))
    {
    }

    public Uri ContainerUri { get; } = containerUri;

    public bool Exists { get; private set; }

    /// <summary>Copy scripts by source disk name; a disk not listed gets <see cref="DefaultScript"/>.</summary>
    public Dictionary<string, CopyScript> Scripts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public CopyScript DefaultScript { get; set; } = CopyScript.Immediate;

    /// <summary>An exception to throw when a text blob is uploaded (by blob name).</summary>
    public Func<string, Exception?>? UploadFailure { get; set; }

    public IReadOnlyList<string> Aborts => Locked(() => aborts.ToList());

    public IReadOnlyList<string> Deletes => Locked(() => deletes.ToList());

    public IReadOnlyList<Uri> CopySources => Locked(() => copySources.ToList());

    public int CopiesStarted => Locked(() => copySources.Count);

    public int ActiveCopies => Locked(() => activeCopies);

    public int MaxConcurrentCopies => Locked(() => maxConcurrentCopies);

    public IReadOnlyList<string> BlobNames => Locked(() => blobs.Keys.OrderBy(name => name, StringComparer.Ordinal).ToList());

    public IReadOnlyList<string> Vhds => BlobNames.Where(name => name.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase)).ToList();

    public IReadOnlyList<string> Records => BlobNames.Where(name => name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).ToList();

    public string? TextOf(string blobName) => Locked(() => blobs.TryGetValue(blobName, out var blob) ? blob.Text : null);

    /// <summary>Puts a blob in place, e.g. a VHD and its record from an earlier run.</summary>
    public FakeBlobContainer Seed(string blobName, string? text = null, long length = 0)
    {
        Locked(() => blobs[blobName] = new FakeBlob(blobName) { Text = text, Length = text?.Length ?? length, IsPage = text is null });
        Exists = true;
        return this;
    }

    public Task EnsureExistsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Exists = true;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<BlobEntry>> ListAsync(string? prefix, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<BlobEntry> entries = Locked(() => blobs.Values
            .Where(blob => prefix is null || blob.Name.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(blob => blob.Name, StringComparer.Ordinal)
            .Select(blob => new BlobEntry(blob.Name, blob.Length, DateTimeOffset.UnixEpoch, blob.IsPage))
            .ToList());
        return Task.FromResult(entries);
    }

    public Task<string?> DownloadTextAsync(string blobName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(TextOf(blobName));
    }

    public Task UploadTextAsync(string blobName, string content, bool overwrite, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (UploadFailure?.Invoke(blobName) is { } failure)
        {
            throw failure;
        }

        lock (gate)
        {
            if (!overwrite && blobs.ContainsKey(blobName))
            {
                throw new RequestFailedException(409, "The specified blob already exists.", "BlobAlreadyExists", null);
            }

            blobs[blobName] = new FakeBlob(blobName) { Text = content, Length = content.Length };
        }

        return Task.CompletedTask;
    }

    public Task<bool> DeleteIfExistsAsync(string blobName, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            deletes.Add(blobName);
            if (!blobs.Remove(blobName, out var blob))
            {
                return Task.FromResult(false);
            }

            if (blob.CopyStatus == CopyStatusKind.Pending)
            {
                // Deleting the destination ends its copy.
                activeCopies--;
            }
        }

        return Task.FromResult(true);
    }

    public Task<string> StartCopyAsync(Uri source, string blobName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        cancellationToken.ThrowIfCancellationRequested();
        var script = Scripts.TryGetValue(FakeDiskGateway.DiskNameOf(source), out var found) ? found : DefaultScript;
        if (script.StartFailure is not null && !script.StartCreatesBlob)
        {
            throw script.StartFailure;
        }

        string copyId;
        lock (gate)
        {
            copySources.Add(source);
            copyId = "copy-" + (++nextCopyId).ToString(CultureInfo.InvariantCulture);
            blobs[blobName] = new FakeBlob(blobName) { IsPage = true, Script = script, CopyId = copyId, CopyStatus = CopyStatusKind.Pending };
            activeCopies++;
            maxConcurrentCopies = Math.Max(maxConcurrentCopies, activeCopies);
        }

        if (script.StartFailure is not null)
        {
            throw script.StartFailure;
        }

        return Task.FromResult(copyId);
    }

    public Task<BlobCopyState> GetCopyStateAsync(string blobName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        FakeBlob? blob;
        int poll;
        lock (gate)
        {
            if (!blobs.TryGetValue(blobName, out blob) || blob.Script is null)
            {
                return Task.FromResult(new BlobCopyState(CopyStatusKind.None, 0, 0, "The destination blob does not exist.", null));
            }

            poll = ++blob.Polls;
        }

        var script = blob.Script;
        script.OnPoll?.Invoke(poll);
        lock (gate)
        {
            if (blob.CopyStatus == CopyStatusKind.Pending
                && script.Outcome != CopyStatusKind.Pending
                && poll > script.PendingPolls
                && script.PendingWhile?.Invoke() != true)
            {
                blob.CopyStatus = script.Outcome;
                activeCopies--;
                if (script.Outcome == CopyStatusKind.Success)
                {
                    blob.Length = script.TotalBytes;
                }
            }

            var copied = blob.CopyStatus switch
            {
                CopyStatusKind.Success => script.TotalBytes,
                CopyStatusKind.Pending => script.TotalBytes * Math.Min(poll, script.PendingPolls) / (script.PendingPolls + 1),
                _ => 0,
            };
            var description = blob.CopyStatus == CopyStatusKind.Failed ? script.FailureDescription ?? "500 InternalError" : null;
            return Task.FromResult(new BlobCopyState(blob.CopyStatus, copied, script.TotalBytes, description, blob.CopyId));
        }
    }

    public Task AbortCopyAsync(string blobName, string copyId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            aborts.Add(blobName);
            if (blobs.TryGetValue(blobName, out var blob) && blob.CopyStatus == CopyStatusKind.Pending && blob.CopyId == copyId)
            {
                blob.CopyStatus = CopyStatusKind.Aborted;
                activeCopies--;
            }
        }

        return Task.CompletedTask;
    }

    public Uri GetBlobUri(string blobName) => new(ContainerUri.AbsoluteUri.TrimEnd('/') + "/" + blobName);

    /// <summary>Read SAS URLs handed out, with their lifetimes.</summary>
    public IReadOnlyList<(string BlobName, TimeSpan Lifetime)> ReadSasIssued => Locked(() => readSas.ToList());

    public Uri GetReadSasUri(string blobName, TimeSpan lifetime)
    {
        Locked(() =>
        {
            readSas.Add((blobName, lifetime));
            return 0;
        });
        return new Uri(GetBlobUri(blobName).AbsoluteUri + "?sv=2025-01-05&sp=r&sig=fake-read-secret");
    }

    private T Locked<T>(Func<T> read)
    {
        lock (gate)
        {
            return read();
        }
    }

    private sealed class FakeBlob(string name)
    {
        public string Name { get; } = name;

        public string? Text { get; set; }

        public long Length { get; set; }

        public bool IsPage { get; set; }

        public CopyScript? Script { get; init; }

        public string? CopyId { get; init; }

        public CopyStatusKind CopyStatus { get; set; } = CopyStatusKind.None;

        public int Polls { get; set; }
    }
}

/// <summary>Hands out fake containers by storage account id and container name, recording what was opened.</summary>
internal sealed class FakeBlobGatewayFactory : IBlobGatewayFactory
{
    private readonly object gate = new();

    public Dictionary<(string AccountId, string Container), FakeBlobContainer> Containers { get; } = [];

    public List<(string AccountId, string Container)> Opened { get; } = [];

    public FakeBlobContainer Add(string storageAccountId, string containerName, FakeBlobContainer container)
    {
        Containers[(storageAccountId, containerName)] = container;
        return container;
    }

    public Task<IBlobContainerGateway> OpenContainerAsync(string storageAccountId, string containerName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            Opened.Add((storageAccountId, containerName));
            if (!Containers.TryGetValue((storageAccountId, containerName), out var container))
            {
                container = new FakeBlobContainer(new Uri($"https://{storageAccountId[(storageAccountId.LastIndexOf('/') + 1)..]}.blob.example.test/{containerName}"));
                Containers[(storageAccountId, containerName)] = container;
            }

            return Task.FromResult<IBlobContainerGateway>(container);
        }
    }
}
