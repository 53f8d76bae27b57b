using System.Collections.Concurrent;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Distribution;
using ImageFactory.Engine.Execution;

namespace ImageFactory.Engine.Tests.Retention;

/// <summary>
/// An in-memory DevTest Labs for retention tests: labs per subscription, images and VMs per lab, scripted failures
/// per resource id (or per subscription for lab lists), every call recorded, and the deletions' concurrency measured.
/// </summary>
internal sealed class RetentionLabGateway : ILabGateway
{
    private readonly object gate = new();
    private int running;

    public List<LabInfo> Labs { get; } = [];

    public Dictionary<string, List<CustomImageInfo>> Images { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<LabVmInfo>> Vms { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Exceptions thrown by a call on this resource id (a lab id for lists, an image/VM id for deletes, a subscription for ListLabs).</summary>
    public Dictionary<string, Exception> Failures { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentQueue<string> Calls { get; } = new();

    public int MaxConcurrentDeletes { get; private set; }

    /// <summary>How long each delete takes, so that concurrency can be observed.</summary>
    public TimeSpan DeleteDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    public static LabInfo Lab(string name, string subscriptionId = "sub-1", string resourceGroup = "rg") => new(
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.DevTestLab/labs/{name}",
        subscriptionId, resourceGroup, name, "westeurope",
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Storage/storageAccounts/a{name.ToLowerInvariant()}",
        null);

    public static CustomImageInfo Image(LabInfo lab, string name, string? imagePath, DateTimeOffset? created, string state = "Succeeded", Dictionary<string, string>? tags = null)
    {
        var allTags = tags ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (imagePath is not null)
        {
            allTags[ImageTags.ImagePath] = imagePath;
            allTags[ImageTags.SourceId] = "src-" + name;
        }

        return new CustomImageInfo($"{lab.Id}/customimages/{name}", name, allTags, "Windows", null, true, null, created, state);
    }

    public static LabVmInfo Vm(LabInfo lab, string name, string? imagePath, DateTimeOffset? created, string state = "Succeeded", params string[] otherTags)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (imagePath is not null)
        {
            tags["ImagePath"] = imagePath;
        }

        foreach (var tag in otherTags)
        {
            tags[tag] = "true";
        }

        return new LabVmInfo($"{lab.Id}/virtualmachines/{name}", name, tags, null, "Windows", state, created, null, "deallocated", "/disk/" + name);
    }

    public RetentionLabGateway Add(LabInfo lab, params CustomImageInfo[] images)
    {
        Labs.Add(lab);
        Images[lab.Id] = [.. images];
        return this;
    }

    public int CallCount(string prefix) => Calls.Count(call => call.StartsWith(prefix, StringComparison.Ordinal));

    public Task<IReadOnlyList<LabInfo>> ListLabsAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"ListLabs {subscriptionId}");
        ThrowIfScripted(subscriptionId);
        IReadOnlyList<LabInfo> labs = Labs.Where(lab => string.Equals(lab.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase)).ToList();
        return Task.FromResult(labs);
    }

    public Task<LabInfo?> GetLabAsync(string subscriptionId, string resourceGroup, string labName, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"GetLab {labName}");
        return Task.FromResult(Labs.FirstOrDefault(lab => lab.Name == labName && lab.ResourceGroup == resourceGroup && lab.SubscriptionId == subscriptionId));
    }

    public Task<IReadOnlyList<LabVmInfo>> ListVirtualMachinesAsync(LabInfo lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        Calls.Enqueue($"ListVms {lab.Name}");
        lock (gate)
        {
            IReadOnlyList<LabVmInfo> vms = Vms.TryGetValue(lab.Id, out var list) ? [.. list] : [];
            return Task.FromResult(vms);
        }
    }

    public Task<IReadOnlyList<CustomImageInfo>> ListCustomImagesAsync(LabInfo lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        Calls.Enqueue($"ListImages {lab.Name}");
        ThrowIfScripted(lab.Id);
        lock (gate)
        {
            IReadOnlyList<CustomImageInfo> images = Images.TryGetValue(lab.Id, out var list) ? [.. list] : [];
            return Task.FromResult(images);
        }
    }

    public Task<CustomImageInfo> CreateCustomImageFromVhdAsync(LabInfo lab, CustomImageFromVhdRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Retention never creates images.");

    public async Task<bool> DeleteCustomImageAsync(string customImageId, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"DeleteImage {customImageId}");
        return await DeleteAsync(customImageId, Images, image => image.Id, cancellationToken);
    }

    public async Task<bool> DeleteVirtualMachineAsync(string virtualMachineId, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"DeleteVm {virtualMachineId}");
        return await DeleteAsync(virtualMachineId, Vms, vm => vm.Id, cancellationToken);
    }

    private async Task<bool> DeleteAsync<T>(string id, Dictionary<string, List<T>> store, Func<T, string> idOf, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            running++;
            MaxConcurrentDeletes = Math.Max(MaxConcurrentDeletes, running);
        }

        try
        {
            await Task.Delay(DeleteDelay, cancellationToken);
            ThrowIfScripted(id);
            lock (gate)
            {
                return store.Values.Any(list => list.RemoveAll(item => string.Equals(idOf(item), id, StringComparison.OrdinalIgnoreCase)) > 0);
            }
        }
        finally
        {
            lock (gate)
            {
                running--;
            }
        }
    }

    private void ThrowIfScripted(string key)
    {
        if (Failures.TryGetValue(key, out var failure))
        {
            throw failure;
        }
    }
}

/// <summary>An in-memory store container: blobs with text (records) or without (VHDs), deletes in order, scripted failures.</summary>
internal sealed class RetentionBlobContainer : IBlobContainerGateway, IBlobGatewayFactory
{
    private readonly object gate = new();
    private readonly Dictionary<string, (string? Text, DateTimeOffset Modified)> blobs = new(StringComparer.OrdinalIgnoreCase);

    public Uri ContainerUri { get; } = new("https://afactory.blob.example.test/imagefactoryvhds");

    public List<string> Deletes { get; } = [];

    public int Lists { get; private set; }

    public Dictionary<string, Exception> DeleteFailures { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> Names
    {
        get
        {
            lock (gate)
            {
                return [.. blobs.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    public RetentionBlobContainer Seed(string name, string? text = null, DateTimeOffset? modified = null)
    {
        lock (gate)
        {
            blobs[name] = (text, modified ?? DateTimeOffset.UnixEpoch);
        }

        return this;
    }

    /// <summary>Seeds a VHD and its record (this module's format).</summary>
    public RetentionBlobContainer SeedSaved(string id, string imagePath, DateTimeOffset timestamp, string? sourceVmId = null, string? imageName = null)
    {
        var record = new ImageFactory.Engine.Vhds.VhdRecord(imageName ?? $"{id}-image", imagePath, null, "Windows", id + ".vhd", timestamp, true, sourceVmId);
        return Seed(id + ".vhd", modified: timestamp).Seed(id + ".json", record.ToJson(), timestamp);
    }

    /// <summary>Thrown when the container is opened (listKeys failing, say).</summary>
    public Exception? OpenFailure { get; set; }

    public Task<IBlobContainerGateway> OpenContainerAsync(string storageAccountId, string containerName, CancellationToken cancellationToken) =>
        OpenFailure is { } failure ? Task.FromException<IBlobContainerGateway>(failure) : Task.FromResult<IBlobContainerGateway>(this);

    public Task EnsureExistsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<BlobEntry>> ListAsync(string? prefix, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Lists++;
            IReadOnlyList<BlobEntry> entries = blobs.Select(blob => new BlobEntry(blob.Key, 0, blob.Value.Modified, blob.Value.Text is null)).ToList();
            return Task.FromResult(entries);
        }
    }

    public Task<string?> DownloadTextAsync(string blobName, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(blobs.TryGetValue(blobName, out var blob) ? blob.Text : null);
        }
    }

    public Task UploadTextAsync(string blobName, string content, bool overwrite, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Retention never writes blobs.");

    public Task<bool> DeleteIfExistsAsync(string blobName, CancellationToken cancellationToken)
    {
        if (DeleteFailures.TryGetValue(blobName, out var failure))
        {
            throw failure;
        }

        lock (gate)
        {
            Deletes.Add(blobName);
            return Task.FromResult(blobs.Remove(blobName));
        }
    }

    public Task<string> StartCopyAsync(Uri source, string blobName, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<BlobCopyState> GetCopyStateAsync(string blobName, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task AbortCopyAsync(string blobName, string copyId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Uri GetBlobUri(string blobName) => new(ContainerUri.AbsoluteUri + "/" + blobName);

    public Uri GetReadSasUri(string blobName, TimeSpan lifetime) => new(GetBlobUri(blobName).AbsoluteUri + "?sv=test&sig=fake");
}

/// <summary>Keeps every engine event.</summary>
internal sealed class RetentionSink : IEngineEventSink
{
    private readonly ConcurrentQueue<EngineEvent> events = new();

    public IReadOnlyList<EngineEvent> Events => [.. events];

    public IReadOnlyList<T> Results<T>() => Events.OfType<ResultEvent>().Select(e => e.Result).OfType<T>().ToList();

    public IReadOnlyList<ItemErrorEvent> Errors => Events.OfType<ItemErrorEvent>().ToList();

    public void Post(EngineEvent engineEvent) => events.Enqueue(engineEvent);
}

/// <summary>Configurations built in memory (the loader is tested elsewhere).</summary>
internal static class RetentionConfigurations
{
    public static GoldenImage Golden(string imagePath) =>
        new(imagePath, "/config/GoldenImages/" + imagePath, GoldenImageOsType.Windows, null, null, imagePath.Replace('/', '_'), "vm", []);

    public static FactoryConfiguration Build(IReadOnlyList<string> golden, params (LabInfo Lab, string[] Paths, bool WithGroup)[] labs)
    {
        var images = golden.Select(Golden).ToList();
        var targets = labs.Select((lab, index) => new LabTarget(
            index, lab.Lab.SubscriptionId, lab.Lab.Name, lab.WithGroup ? lab.Lab.ResourceGroup : null, lab.WithGroup ? lab.Lab.Id : null,
            lab.Paths, images.Where(image => lab.Paths.Any(path => ImagePathMatcher.Matches(path, image.ImagePath))).ToList())).ToList();
        return new FactoryConfiguration("/config", "/config/Labs.json", images, targets, []);
    }
}
