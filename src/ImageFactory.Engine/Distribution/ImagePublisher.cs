using System.Collections.Concurrent;
using System.Diagnostics;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Distribution;

public sealed class PublishOptions
{
    /// <summary>How many copies and image creations run at once.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>
    /// Let a lab that already received a VHD serve it to further labs (replica-assisted fan-out). A page blob serves
    /// at most 60 MiB/s, shared by all copies reading it; with replicas the number of sources doubles each round, so
    /// M labs take about ceil(log2(M+1)) copy rounds instead of M.
    /// </summary>
    public bool UseReplicas { get; init; } = true;
}

/// <summary>
/// Distributes planned images: copies each VHD into the target lab's own storage account (the only place the
/// service accepts it), creates the custom image from it (tagged ImagePath and source id), waits for the
/// long-running operation, then deletes the temporary VHD once nothing reads from it. The factory store itself is
/// never deleted. Failures are per item; cancellation aborts copies and removes temporary blobs.
/// </summary>
public sealed class ImagePublisher(ILabGateway labs, IBlobGatewayFactory blobs)
{
    private readonly ILabGateway labGateway = labs;
    private readonly IBlobGatewayFactory blobGateway = blobs;

    /// <summary>The container in a target lab's storage account that holds VHDs while images are made from them.</summary>
    public const string StagingContainer = "imagefactory-staging";

    // A copy source SAS must outlive the copy, which, when many labs read one blob, can take hours (127 GiB shared
    // by 32 readers of one page blob is ~19 h). It is read-only, for one blob, and never leaves the process.
    private static readonly TimeSpan SourceSasLifetime = TimeSpan.FromHours(24);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromMinutes(2);

    public async Task<DistributionSummary> PublishAsync(
        IReadOnlyList<DistributionPlanItem> items, PublishOptions options, IEngineEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        var stopwatch = Stopwatch.StartNew();
        var run = new PublishRun(this, options, sink, items.Count(item => item.Action == DistributionAction.Copy));

        foreach (var item in items.Where(item => item.Action != DistributionAction.Copy))
        {
            run.Report(item, item.Action == DistributionAction.Skip ? DistributionStatus.Skipped : DistributionStatus.Blocked, item.Reason, null, 0, TimeSpan.Zero, null);
        }

        var images = items
            .Where(item => item.Action == DistributionAction.Copy)
            .GroupBy(item => item.SourceVhdUri.AbsoluteUri, StringComparer.OrdinalIgnoreCase)
            .Select(group => group.ToList())
            .ToList();
        try
        {
            await Task.WhenAll(images.Select(group => run.FanOutAsync(group, cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            run.Dispose();
        }

        sink.Post(new ProgressEvent(0, null, "Distributing images", "Done", 100, Completed: true));
        return run.Summary(stopwatch.Elapsed);
    }

    /// <summary>A blob that can serve as a copy source: the factory store's VHD, or a lab's copy of it.</summary>
    private sealed class Replica(IBlobContainerGateway container, string blobName, string? location, string label, bool isStore)
    {
        public IBlobContainerGateway Container { get; } = container;

        public string BlobName { get; } = blobName;

        public string? Location { get; } = location;

        public string Label { get; } = label;

        public bool IsStore { get; } = isStore;

        public int Readers { get; set; }

        public long BytesCopied { get; set; }
    }

    private sealed class PublishRun(ImagePublisher publisher, PublishOptions options, IEngineEventSink sink, int copyCount) : IDisposable
    {
        private readonly SemaphoreSlim slots = new(options.MaxConcurrency, options.MaxConcurrency);
        private readonly ConcurrentDictionary<string, Lazy<Task<IBlobContainerGateway>>> containers = new(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, (long Copied, long Total)> bytes = new(StringComparer.Ordinal);
        private int published;
        private int skipped;
        private int failed;
        private int blocked;
        private int finished;
        private long bytesCopied;

        public void Dispose() => slots.Dispose();

        public DistributionSummary Summary(TimeSpan duration)
        {
            var summary = new DistributionSummary
            {
                Published = published, Skipped = skipped, Failed = failed, Blocked = blocked, BytesCopied = Interlocked.Read(ref bytesCopied), Duration = duration,
            };
            return summary;
        }

        public void Report(DistributionPlanItem item, DistributionStatus status, string? reason, string? copiedFrom, long copied, TimeSpan duration, string? imageId)
        {
            _ = status switch
            {
                DistributionStatus.Published => Interlocked.Increment(ref published),
                DistributionStatus.Skipped => Interlocked.Increment(ref skipped),
                DistributionStatus.Blocked => Interlocked.Increment(ref blocked),
                _ => Interlocked.Increment(ref failed),
            };
            if (status == DistributionStatus.Blocked)
            {
                sink.Post(new WarningEvent($"'{item.ImageName}' cannot be distributed to lab '{item.TargetLabName}': {reason}."));
            }

            sink.Post(new ResultEvent(new DistributionResult
            {
                ImageName = item.ImageName,
                ImagePath = item.ImagePath,
                TargetLabName = item.TargetLabName,
                TargetSubscriptionId = item.TargetSubscriptionId,
                Status = status,
                Reason = reason,
                CopiedFrom = copiedFrom,
                BytesCopied = copied,
                Duration = duration,
                CustomImageId = imageId,
            }));
        }

        /// <summary>Distributes one image to its labs, each source serving one copy at a time in replica mode.</summary>
        public async Task FanOutAsync(List<DistributionPlanItem> items, CancellationToken cancellationToken)
        {
            var first = items[0];
            var storeBlob = Uri.UnescapeDataString(first.SourceVhdUri.Segments[^1]);
            IBlobContainerGateway storeContainer;
            try
            {
                storeContainer = await ContainerAsync(first.SourceStorageAccountId, VhdStore.ContainerName, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A store that cannot be opened (no key, storage unreachable) fails this image's items, not the run.
                foreach (var item in items)
                {
                    Fail(item, exception, TimeSpan.Zero);
                }

                return;
            }

            var store = new Replica(storeContainer, storeBlob, first.SourceLocation, "factory store", isStore: true);
            var sources = new List<Replica> { store };
            var temporaries = new List<Replica>();
            var creations = new List<Task>();
            var running = new Dictionary<Task<(Replica Replica, Stopwatch Clock)?>, (Replica Source, DistributionPlanItem Target)>();

            // A lab whose storage account is the store's own (the factory lab listed in Labs.json) needs no copy.
            var pending = new List<DistributionPlanItem>();
            foreach (var item in items)
            {
                if (string.Equals(item.TargetStorageAccountId, item.SourceStorageAccountId, StringComparison.OrdinalIgnoreCase))
                {
                    creations.Add(CreateImageAsync(item, store, Stopwatch.StartNew(), cancellationToken));
                }
                else
                {
                    pending.Add(item);
                }
            }

            try
            {
                while (pending.Count > 0 || running.Count > 0)
                {
                    foreach (var source in sources.ToList())
                    {
                        while (pending.Count > 0 && CanServe(source))
                        {
                            var target = pending.FirstOrDefault(item => string.Equals(item.TargetLocation, source.Location, StringComparison.OrdinalIgnoreCase))
                                ?? pending[0];
                            pending.Remove(target);
                            source.Readers++;
                            running[CopyAsync(source, target, cancellationToken)] = (source, target);
                        }
                    }

                    if (running.Count == 0)
                    {
                        break;
                    }

                    var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
                    var (from, copied) = running[done];
                    running.Remove(done);
                    from.Readers--;
                    var outcome = await done.ConfigureAwait(false);
                    if (outcome is null)
                    {
                        continue;
                    }

                    var (replica, clock) = outcome.Value;
                    temporaries.Add(replica);
                    creations.Add(CreateImageAsync(copied, replica, clock, cancellationToken, copiedFrom: from.Label));
                    if (options.UseReplicas)
                    {
                        sources.Add(replica);
                    }
                }

                await Task.WhenAll(creations).ConfigureAwait(false);
            }
            finally
            {
                // Wait until nothing reads the temporary copies any more: every copy and image creation of this image
                // has ended (on cancellation too; their failures are theirs, so nothing is thrown here, and a throw
                // would skip the clean-up). A copy that completed while the run was being cancelled left a temporary too.
                await Task.WhenAll(running.Keys.Cast<Task>().Concat(creations)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                foreach (var copy in running.Keys)
                {
                    if (copy.IsCompletedSuccessfully && copy.Result is { } late)
                    {
                        temporaries.Add(late.Replica);
                    }
                }

                // Remove them, with a token of their own so Ctrl+C still cleans up.
                using var cleanup = new CancellationTokenSource(CleanupTimeout);
                foreach (var temporary in temporaries)
                {
                    await DeleteQuietlyAsync(temporary.Container, temporary.BlobName, cleanup.Token).ConfigureAwait(false);
                }
            }

            bool CanServe(Replica source) => options.UseReplicas ? source.Readers == 0 : source.IsStore;
        }

        /// <summary>Copies the VHD into the target lab's staging container; on success returns the new replica.</summary>
        private async Task<(Replica Replica, Stopwatch Clock)?> CopyAsync(Replica source, DistributionPlanItem item, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            var blobName = item.SourceId + ".vhd";
            IBlobContainerGateway? destination = null;
            string? copyId = null;
            var copyStarting = false;
            var succeeded = false;
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (item.TargetStorageAccountId is null)
                {
                    throw new InvalidOperationException($"The plan item for lab '{item.TargetLabName}' names no storage account.");
                }

                destination = await ContainerAsync(item.TargetStorageAccountId, StagingContainer, cancellationToken).ConfigureAwait(false);
                await destination.EnsureExistsAsync(cancellationToken).ConfigureAwait(false);
                var state = await PrepareDestinationAsync(destination, blobName, cancellationToken).ConfigureAwait(false);
                if (state is null)
                {
                    sink.Post(new VerboseEvent($"Copying '{item.ImageName}' from the {source.Label} to lab '{item.TargetLabName}'."));
                    copyStarting = true;
                    copyId = await destination.StartCopyAsync(source.Container.GetReadSasUri(source.BlobName, SourceSasLifetime), blobName, cancellationToken).ConfigureAwait(false);
                    state = await BlobCopies.WaitAsync(
                        destination, blobName, current => ReportBytes(item, current.BytesCopied, current.TotalBytes), TimeProvider.System, cancellationToken)
                        .ConfigureAwait(false);

                    if (state.Status != CopyStatusKind.Success)
                    {
                        throw new VhdCopyException($"The copy to lab '{item.TargetLabName}' ended {state.Status}: {state.StatusDescription ?? "no reason given"}.");
                    }

                    Interlocked.Add(ref bytesCopied, state.TotalBytes);
                }
                else
                {
                    sink.Post(new VerboseEvent($"Lab '{item.TargetLabName}' already holds a complete copy of '{item.ImageName}' from an earlier run; reusing it."));
                }

                succeeded = true;

                // A copy reused from an earlier run copied nothing in this one: its result says so, as the totals do.
                var copied = copyId is null ? 0 : state.TotalBytes;
                return (new Replica(destination, blobName, item.TargetLocation, $"lab '{item.TargetLabName}'", isStore: false) { BytesCopied = copied }, stopwatch);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Fail(item, exception, stopwatch.Elapsed);
                return null;
            }
            finally
            {
                slots.Release();
                // A start request that failed may still have created the blob (and its copy): remove it as well.
                if (!succeeded && destination is not null && (copyStarting || cancellationToken.IsCancellationRequested))
                {
                    using var cleanup = new CancellationTokenSource(CleanupTimeout);
                    if (copyId is not null)
                    {
                        try
                        {
                            await destination.AbortCopyAsync(blobName, copyId, cleanup.Token).ConfigureAwait(false);
                        }
                        catch (Exception abort) when (abort is global::Azure.RequestFailedException or OperationCanceledException or HttpRequestException)
                        {
                            // Deleting the blob below ends the copy too.
                        }
                    }

                    await DeleteQuietlyAsync(destination, blobName, cleanup.Token).ConfigureAwait(false);
                }
            }
        }

        /// <summary>A leftover from an interrupted run: reuse a completed copy, remove anything else.</summary>
        private static async Task<BlobCopyState?> PrepareDestinationAsync(IBlobContainerGateway destination, string blobName, CancellationToken cancellationToken)
        {
            var state = await destination.GetCopyStateAsync(blobName, cancellationToken).ConfigureAwait(false);
            switch (state.Status)
            {
                case CopyStatusKind.Success when state.TotalBytes > 0:
                    return state;
                case CopyStatusKind.Pending when state.CopyId is not null:
                    await destination.AbortCopyAsync(blobName, state.CopyId, cancellationToken).ConfigureAwait(false);
                    await destination.DeleteIfExistsAsync(blobName, cancellationToken).ConfigureAwait(false);
                    return null;
                case CopyStatusKind.None when state.TotalBytes == 0 && state.CopyId is null:
                    await destination.DeleteIfExistsAsync(blobName, cancellationToken).ConfigureAwait(false);
                    return null;
                default:
                    await destination.DeleteIfExistsAsync(blobName, cancellationToken).ConfigureAwait(false);
                    return null;
            }
        }

        private async Task CreateImageAsync(DistributionPlanItem item, Replica replica, Stopwatch stopwatch, CancellationToken cancellationToken, string? copiedFrom = null)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var lab = new LabInfo(
                    item.TargetLabId ?? throw new InvalidOperationException($"The plan item for lab '{item.TargetLabName}' has no lab id."),
                    item.TargetSubscriptionId, item.TargetResourceGroupName ?? string.Empty, item.TargetLabName, item.TargetLocation ?? string.Empty,
                    null, item.TargetStorageAccountId);
                var isLinux = string.Equals(item.OsType, "Linux", StringComparison.OrdinalIgnoreCase);
                var tags = new Dictionary<string, string> { [ImageTags.ImagePath] = item.ImagePath, [ImageTags.SourceId] = item.SourceId };
                sink.Post(new VerboseEvent($"Creating custom image '{item.ImageName}' in lab '{item.TargetLabName}'."));
                var image = await publisher.labGateway.CreateCustomImageFromVhdAsync(
                    lab,
                    new CustomImageFromVhdRequest(item.ImageName, replica.Container.GetBlobUri(replica.BlobName), item.OsType, !item.Specialized && !isLinux, item.Description, tags),
                    cancellationToken).ConfigureAwait(false);
                Report(item, DistributionStatus.Published, null, copiedFrom ?? replica.Label, replica.IsStore ? 0 : replica.BytesCopied, stopwatch.Elapsed, image.Id);
                Finish(item);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Fail(item, exception, stopwatch.Elapsed);
            }
            finally
            {
                slots.Release();
            }
        }

        private void Fail(DistributionPlanItem item, Exception exception, TimeSpan duration)
        {
            var (errorId, category) = FailureClassifier.Classify(exception);
            sink.Post(new ItemErrorEvent(
                new DistributionException($"Distributing '{item.ImageName}' to lab '{item.TargetLabName}' failed: {exception.Message}", exception),
                errorId, category, item));
            Report(item, DistributionStatus.Failed, exception.Message, null, 0, duration, null);
            Finish(item);
        }

        private void Finish(DistributionPlanItem item)
        {
            var done = Interlocked.Increment(ref finished);
            PostOverall(done);
            _ = item;
        }

        private void ReportBytes(DistributionPlanItem item, long copied, long total)
        {
            // Keyed by lab id: two labs of one name in different subscriptions or resource groups are two copies.
            bytes[(item.TargetLabId ?? item.TargetLabName) + "/" + item.SourceId] = (copied, total);
            PostOverall(Volatile.Read(ref finished));
        }

        private void PostOverall(int done)
        {
            long copied = 0, total = 0;
            foreach (var (itemCopied, itemTotal) in bytes.Values)
            {
                copied += itemCopied;
                total += itemTotal;
            }

            var percent = copyCount == 0 ? 100 : done * 100 / copyCount;
            sink.Post(new ProgressEvent(0, null, "Distributing images",
                $"{done} of {copyCount} images published or failed; {copied / (1024d * 1024 * 1024):0.#} of {total / (1024d * 1024 * 1024):0.#} GiB copied",
                percent, Completed: false));
        }

        private Task<IBlobContainerGateway> ContainerAsync(string storageAccountId, string containerName, CancellationToken cancellationToken) =>
            containers.GetOrAdd(
                storageAccountId + "|" + containerName,
                _ => new Lazy<Task<IBlobContainerGateway>>(() => publisher.blobGateway.OpenContainerAsync(storageAccountId, containerName, cancellationToken))).Value;

        private static async Task DeleteQuietlyAsync(IBlobContainerGateway container, string blobName, CancellationToken cancellationToken)
        {
            try
            {
                await container.DeleteIfExistsAsync(blobName, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is global::Azure.RequestFailedException or OperationCanceledException or HttpRequestException)
            {
                // Best effort: a re-run removes or reuses leftovers in the staging container.
            }
        }
    }
}

public sealed class DistributionException : Exception
{
    public DistributionException()
    {
    }

    public DistributionException(string message)
        : base(message)
    {
    }

    public DistributionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
