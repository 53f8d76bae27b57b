using System.Collections.Concurrent;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Distribution;
using ImageFactory.Engine.Tests.Fakes;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Tests.Distribution;

/// <summary>Counts how many operations run at once (copies and image creations together), and the most ever seen.</summary>
internal sealed class ConcurrencyMeter
{
    private readonly object gate = new();
    private int current;

    public int Max { get; private set; }

    public int Current
    {
        get
        {
            lock (gate)
            {
                return current;
            }
        }
    }

    public void Enter()
    {
        lock (gate)
        {
            current++;
            Max = Math.Max(Max, current);
        }
    }

    public void Exit()
    {
        lock (gate)
        {
            current--;
        }
    }
}

/// <summary>
/// An in-memory DevTest Labs for distribution: labs per subscription, custom images per lab id, scripted failures by
/// call ("ListLabs {sub}", "GetLab {sub}/{rg}/{name}", "ListImages {lab}", "CreateImage {lab}"), every call recorded,
/// and image creations that take a little while and count in a <see cref="ConcurrencyMeter"/>.
/// </summary>
internal sealed class DistributionLabGateway : ILabGateway
{
    private readonly object gate = new();

    public List<LabInfo> Labs { get; } = [];

    public Dictionary<string, List<CustomImageInfo>> Images { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, Exception> Failures { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Ids of labs a GET finds but the subscription's list leaves out (access on their resource group only).</summary>
    public HashSet<string> Hidden { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creation requests, with the lab they were made in.</summary>
    public ConcurrentQueue<(LabInfo Lab, CustomImageFromVhdRequest Request)> Created { get; } = new();

    public ConcurrencyMeter? Meter { get; set; }

    /// <summary>Told which VHD each image creation reads, while it runs.</summary>
    public TrackingBlobFactory? Blobs { get; set; }

    public TimeSpan CreateDelay { get; set; } = TimeSpan.Zero;

    public static LabInfo Lab(string name, string subscriptionId = "sub-1", string resourceGroup = "rg", string location = "westeurope") =>
        FakeLabGateway.Lab(name, resourceGroup, subscriptionId) with { Location = location };

    public static CustomImageInfo Image(string name, string? sourceId = null, string state = "Succeeded")
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (sourceId is not null)
        {
            tags[ImageTags.SourceId] = sourceId;
        }

        return new CustomImageInfo("/images/" + name, name, tags, "Windows", null, true, null, null, state);
    }

    public DistributionLabGateway Add(LabInfo lab, params CustomImageInfo[] images)
    {
        Labs.Add(lab);
        Images[lab.Id] = [.. images];
        return this;
    }

    public int CallCount(string prefix) => Calls.Count(call => call.StartsWith(prefix, StringComparison.Ordinal));

    public Task<IReadOnlyList<LabInfo>> ListLabsAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        Record($"ListLabs {subscriptionId}");
        IReadOnlyList<LabInfo> labs = Labs
            .Where(lab => string.Equals(lab.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase) && !Hidden.Contains(lab.Id))
            .ToList();
        return Task.FromResult(labs);
    }

    public Task<LabInfo?> GetLabAsync(string subscriptionId, string resourceGroup, string labName, CancellationToken cancellationToken)
    {
        Record($"GetLab {subscriptionId}/{resourceGroup}/{labName}");
        return Task.FromResult(Labs.FirstOrDefault(lab =>
            string.Equals(lab.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase)
            && string.Equals(lab.ResourceGroup, resourceGroup, StringComparison.OrdinalIgnoreCase)
            && string.Equals(lab.Name, labName, StringComparison.OrdinalIgnoreCase)));
    }

    public Task<IReadOnlyList<LabVmInfo>> ListVirtualMachinesAsync(LabInfo lab, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Distribution never lists VMs.");

    public Task<IReadOnlyList<CustomImageInfo>> ListCustomImagesAsync(LabInfo lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        Record($"ListImages {lab.Name}");
        lock (gate)
        {
            IReadOnlyList<CustomImageInfo> images = Images.TryGetValue(lab.Id, out var list) ? [.. list] : [];
            return Task.FromResult(images);
        }
    }

    public async Task<CustomImageInfo> CreateCustomImageFromVhdAsync(LabInfo lab, CustomImageFromVhdRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(request);
        Meter?.Enter();
        var vhd = request.VhdUri.GetLeftPart(UriPartial.Path);
        Blobs?.BeginUse(vhd);
        try
        {
            Record($"CreateImage {lab.Name}");
            if (CreateDelay > TimeSpan.Zero)
            {
                await Task.Delay(CreateDelay, cancellationToken);
            }

            if (Failures.TryGetValue($"CreateImage {lab.Name}", out _))
            {
                throw Failures[$"CreateImage {lab.Name}"];
            }

            Created.Enqueue((lab, request));
            var image = new CustomImageInfo(
                $"{lab.Id}/customimages/{request.Name}", request.Name, request.Tags, request.OsType,
                request.VhdUri.GetLeftPart(UriPartial.Path), request.SysPrep, request.Description, DateTimeOffset.UnixEpoch, "Succeeded");
            lock (gate)
            {
                if (!Images.TryGetValue(lab.Id, out var list))
                {
                    list = [];
                    Images[lab.Id] = list;
                }

                list.Add(image);
            }

            return image;
        }
        finally
        {
            Blobs?.EndUse(vhd);
            Meter?.Exit();
        }
    }

    public Task<bool> DeleteCustomImageAsync(string customImageId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Distribution never deletes images.");

    public Task<bool> DeleteVirtualMachineAsync(string virtualMachineId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Distribution never deletes VMs.");

    private void Record(string call)
    {
        Calls.Enqueue(call);
        if (Failures.TryGetValue(call, out var failure) && !call.StartsWith("CreateImage", StringComparison.Ordinal))
        {
            throw failure;
        }
    }
}

/// <summary>
/// Hands out <see cref="FakeBlobContainer"/>s (through <see cref="FakeBlobGatewayFactory"/>) wrapped so that every
/// server-side copy is seen from its source's side too: how many copies read each source blob at once (a copy reads
/// from its start until its end is observed, or it is aborted or deleted), and the copies running at once overall.
/// </summary>
internal sealed class TrackingBlobFactory : IBlobGatewayFactory
{
    private readonly object gate = new();
    private readonly Dictionary<(string, string), TrackingContainer> wrappers = [];
    private readonly Dictionary<string, int> readers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> maxReaders = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> uses = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> deletedWhileInUse = [];

    public FakeBlobGatewayFactory Inner { get; } = new();

    public ConcurrencyMeter Meter { get; } = new();

    /// <summary>Storage account ids whose containers cannot be opened, with the exception thrown.</summary>
    public Dictionary<string, Exception> OpenFailures { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The most copies that ever read one source blob at once, by source blob URL (no SAS).</summary>
    public IReadOnlyDictionary<string, int> MaxReaders
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, int>(maxReaders, StringComparer.OrdinalIgnoreCase);
            }
        }
    }

    /// <summary>Blobs (URL, no SAS) deleted while a copy read them or an image was being made from them.</summary>
    public IReadOnlyList<string> DeletedWhileInUse
    {
        get
        {
            lock (gate)
            {
                return [.. deletedWhileInUse];
            }
        }
    }

    public void BeginUse(string blobUrl)
    {
        lock (gate)
        {
            uses[blobUrl] = uses.GetValueOrDefault(blobUrl) + 1;
        }
    }

    public void EndUse(string blobUrl)
    {
        lock (gate)
        {
            uses[blobUrl]--;
        }
    }

    /// <summary>The fake container behind an account and container name (created if not opened yet).</summary>
    public FakeBlobContainer Fake(string storageAccountId, string containerName)
    {
        lock (gate)
        {
            if (!Inner.Containers.TryGetValue((storageAccountId, containerName), out var container))
            {
                container = new FakeBlobContainer(new Uri($"https://{storageAccountId[(storageAccountId.LastIndexOf('/') + 1)..]}.blob.example.test/{containerName}"));
                Inner.Containers[(storageAccountId, containerName)] = container;
            }

            return container;
        }
    }

    public Task<IBlobContainerGateway> OpenContainerAsync(string storageAccountId, string containerName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (OpenFailures.TryGetValue(storageAccountId, out var failure))
        {
            throw failure;
        }

        lock (gate)
        {
            Inner.Opened.Add((storageAccountId, containerName));
            if (!wrappers.TryGetValue((storageAccountId, containerName), out var wrapper))
            {
                wrapper = new TrackingContainer(this, Fake(storageAccountId, containerName));
                wrappers[(storageAccountId, containerName)] = wrapper;
            }

            return Task.FromResult<IBlobContainerGateway>(wrapper);
        }
    }

    private void Deleting(string blobUrl)
    {
        lock (gate)
        {
            if (readers.GetValueOrDefault(blobUrl) > 0 || uses.GetValueOrDefault(blobUrl) > 0)
            {
                deletedWhileInUse.Add(blobUrl);
            }
        }
    }

    private void StartReading(string source)
    {
        lock (gate)
        {
            readers[source] = readers.GetValueOrDefault(source) + 1;
            maxReaders[source] = Math.Max(maxReaders.GetValueOrDefault(source), readers[source]);
        }

        Meter.Enter();
    }

    private void StopReading(string source)
    {
        lock (gate)
        {
            readers[source]--;
        }

        Meter.Exit();
    }

    private sealed class TrackingContainer(TrackingBlobFactory owner, FakeBlobContainer inner) : IBlobContainerGateway
    {
        private readonly object gate = new();

        // Destination blob name -> the source it is reading, while its copy runs.
        private readonly Dictionary<string, string> reading = new(StringComparer.OrdinalIgnoreCase);

        public Uri ContainerUri => inner.ContainerUri;

        public Task EnsureExistsAsync(CancellationToken cancellationToken) => inner.EnsureExistsAsync(cancellationToken);

        public Task<IReadOnlyList<BlobEntry>> ListAsync(string? prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<string?> DownloadTextAsync(string blobName, CancellationToken cancellationToken) => inner.DownloadTextAsync(blobName, cancellationToken);

        public Task UploadTextAsync(string blobName, string content, bool overwrite, CancellationToken cancellationToken) =>
            inner.UploadTextAsync(blobName, content, overwrite, cancellationToken);

        public Task<bool> DeleteIfExistsAsync(string blobName, CancellationToken cancellationToken)
        {
            owner.Deleting(inner.GetBlobUri(blobName).AbsoluteUri);
            Stop(blobName);
            return inner.DeleteIfExistsAsync(blobName, cancellationToken);
        }

        public async Task<string> StartCopyAsync(Uri source, string blobName, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(source);
            var copyId = await inner.StartCopyAsync(source, blobName, cancellationToken);
            var key = source.GetLeftPart(UriPartial.Path);
            lock (gate)
            {
                if (reading.Remove(blobName, out var previous))
                {
                    owner.StopReading(previous);
                }

                reading[blobName] = key;
            }

            owner.StartReading(key);
            return copyId;
        }

        public async Task<BlobCopyState> GetCopyStateAsync(string blobName, CancellationToken cancellationToken)
        {
            var state = await inner.GetCopyStateAsync(blobName, cancellationToken);
            if (state.Status != CopyStatusKind.Pending)
            {
                Stop(blobName);
            }

            return state;
        }

        public Task AbortCopyAsync(string blobName, string copyId, CancellationToken cancellationToken)
        {
            Stop(blobName);
            return inner.AbortCopyAsync(blobName, copyId, cancellationToken);
        }

        public Uri GetBlobUri(string blobName) => inner.GetBlobUri(blobName);

        public Uri GetReadSasUri(string blobName, TimeSpan lifetime) => inner.GetReadSasUri(blobName, lifetime);

        private void Stop(string blobName)
        {
            string? source;
            lock (gate)
            {
                reading.Remove(blobName, out source);
            }

            if (source is not null)
            {
                owner.StopReading(source);
            }
        }
    }
}

/// <summary>Builders for configuration, saved VHDs and plan items.</summary>
internal static class DistributionData
{
    public static readonly DateTimeOffset Day = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public static GoldenImage Golden(string imagePath, GoldenImageOsType osType = GoldenImageOsType.Windows) => new(
        imagePath,
        "/config/GoldenImages/" + imagePath,
        osType,
        "golden " + imagePath,
        null,
        ImageNaming.GetImageNameStem(imagePath),
        "golden-vm",
        []);

    public static LabTarget Target(LabInfo lab, bool withGroup, params GoldenImage[] images) =>
        Target(lab.SubscriptionId, lab.Name, withGroup ? lab.ResourceGroup : null, images);

    public static LabTarget Target(string subscriptionId, string labName, string? resourceGroup, params GoldenImage[] images) => new(
        0,
        subscriptionId,
        labName,
        resourceGroup,
        resourceGroup is null ? null : $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.DevTestLab/labs/{labName}",
        images.Select(image => image.ImagePath).ToList(),
        images);

    public static SavedVhd Vhd(string imagePath, string sourceId, DateTimeOffset timestamp, string? imageName = null, string osType = "Windows") => new()
    {
        ImageName = imageName ?? "Image-" + sourceId,
        ImagePath = imagePath,
        OsType = osType,
        Timestamp = timestamp,
        Description = "saved " + sourceId,
        VhdFileName = sourceId + ".vhd",
        RecordFileName = sourceId + ".json",
        VhdUri = new Uri($"https://afactory.blob.example.test/{VhdStore.ContainerName}/{sourceId}.vhd"),
        SourceId = sourceId,
        LabName = "Factory",
    };
}
