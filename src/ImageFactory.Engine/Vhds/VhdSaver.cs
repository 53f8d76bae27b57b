using System.Collections.Concurrent;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Configuration;
using ImageFactory.Engine.Execution;

namespace ImageFactory.Engine.Vhds;

public sealed class VhdSaveOptions
{
    /// <summary>Mark the VHDs specialized (not sysprepped). Linux VHDs are never marked sysprepped anyway.</summary>
    public bool Specialized { get; init; }

    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Clock for timestamps and image names (tests pin it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Saves golden VMs' OS disks into the factory store: export the managed disk (read SAS sized to the copy),
/// server-side copy into <c>imagefactoryvhds/{id}.vhd</c>, then write <c>{id}.json</c>. The record is written only
/// after the copy succeeded; a failed or cancelled copy is aborted and its blob deleted; disk access is always revoked.
/// </summary>
public sealed class VhdSaver(IDiskGateway disks, IBlobGatewayFactory blobs)
{
    /// <summary>Copies are assumed to run at least this fast when sizing the disk SAS (Azure serves up to 60 MiB/s per page blob).</summary>
    internal const double AssumedMinimumCopyBytesPerSecond = 20d * 1024 * 1024;

    private static readonly TimeSpan MinimumSasLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaximumSasLifetime = TimeSpan.FromHours(24);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The disk SAS lifetime: the time a copy at the assumed floor speed takes, plus margin, within [1 h, 24 h].</summary>
    internal static TimeSpan SasLifetimeFor(long? sizeBytes)
    {
        if (sizeBytes is null or <= 0)
        {
            return TimeSpan.FromHours(4);
        }

        var copy = TimeSpan.FromSeconds(sizeBytes.Value / AssumedMinimumCopyBytesPerSecond);
        var lifetime = copy + copy / 2 + TimeSpan.FromMinutes(15);
        return lifetime < MinimumSasLifetime ? MinimumSasLifetime : lifetime > MaximumSasLifetime ? MaximumSasLifetime : lifetime;
    }

    public async Task SaveAsync(
        LabInfo lab, IReadOnlyList<GoldenVm> machines, VhdSaveOptions options, IEngineEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(machines);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);

        var ready = new List<GoldenVm>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var vm in machines)
        {
            if (!seen.Add(vm.Id))
            {
                // The same VM given twice (piped twice, say) is saved once.
                continue;
            }

            if (vm.CanSave)
            {
                ready.Add(vm);
                continue;
            }

            sink.Post(new WarningEvent($"VM '{vm.Name}' ({vm.ImagePath}) is not saved: {vm.NotReadyReason}."));
            sink.Post(new ResultEvent(new VhdSaveResult
            {
                VmName = vm.Name, ImagePath = vm.ImagePath, Status = VhdSaveStatus.Skipped, Reason = vm.NotReadyReason, OsType = vm.OsType,
            }));
        }

        if (ready.Count == 0)
        {
            return;
        }

        var store = await VhdStore.OpenAsync(blobs, lab, cancellationToken).ConfigureAwait(false);
        await store.Container.EnsureExistsAsync(cancellationToken).ConfigureAwait(false);
        var records = await store.ListRecordsAsync(cancellationToken).ConfigureAwait(false);
        var work = PlanNames(ready, records, options, sink);
        var progress = new CopyProgressTracker(work.Count, sink);
        try
        {
            // On cancellation the running copies are aborted and cleaned up, then OperationCanceledException is thrown.
            await BoundedParallel.ForEachAsync(
                work,
                options.MaxConcurrency,
                (item, token) => SaveOneAsync(store, item, options, progress, sink, token),
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress.Complete();
        }
    }

    /// <summary>Names every VM to save, unique against the store's records and within this run; skips VMs already saved.</summary>
    private static List<SaveWork> PlanNames(List<GoldenVm> ready, IReadOnlyList<VhdRecord> records, VhdSaveOptions options, IEngineEventSink sink)
    {
        var taken = records.Select(record => record.ImageName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var today = options.Time.GetUtcNow().UtcDateTime;
        var work = new List<SaveWork>();
        var index = 0;
        foreach (var vm in ready)
        {
            var previous = records.FirstOrDefault(record => IsSaveOf(record, vm));
            if (previous is not null)
            {
                var reason = $"it was already saved as '{previous.ImageName}' ({previous.VhdFileName}) at {previous.Timestamp:u}";
                sink.Post(new VerboseEvent($"VM '{vm.Name}' is skipped: {reason}."));
                sink.Post(new ResultEvent(new VhdSaveResult
                {
                    VmName = vm.Name, ImagePath = vm.ImagePath, ImageName = previous.ImageName, Status = VhdSaveStatus.Skipped,
                    Reason = reason, OsType = vm.OsType, Specialized = previous.IsSpecialized, RecordFileName = previous.RecordFileName,
                }));
                continue;
            }

            var name = ImageNaming.GetImageName(vm.ImagePath!, today, taken);
            taken.Add(name);
            work.Add(new SaveWork(vm, name, ++index));
        }

        return work;
    }

    /// <summary>A record saved from this very VM after it was created (a golden VM is saved once).</summary>
    internal static bool IsSaveOf(VhdRecord record, GoldenVm vm) =>
        record.SourceVmId is not null
        && string.Equals(record.SourceVmId, vm.Id, StringComparison.OrdinalIgnoreCase)
        && (vm.CreatedDate is null || record.Timestamp >= vm.CreatedDate);

    private async Task SaveOneAsync(
        VhdStore store, SaveWork work, VhdSaveOptions options, CopyProgressTracker progress, IEngineEventSink sink, CancellationToken cancellationToken)
    {
        var vm = work.Vm;
        var time = options.Time;
        var started = time.GetTimestamp();
        var id = Guid.NewGuid().ToString("N");
        var vhdName = id + ".vhd";
        var isLinux = string.Equals(vm.OsType, "Linux", StringComparison.OrdinalIgnoreCase);
        var sysPrep = !options.Specialized && !isLinux;
        var accessGranted = false;
        var copyRequested = false;
        string? copyId = null;
        var copied = false;
        var recordRequested = false;
        var recordWritten = false;
        try
        {
            var size = await disks.GetSizeBytesAsync(vm.OsDiskId!, cancellationToken).ConfigureAwait(false);
            var lifetime = SasLifetimeFor(size);
            sink.Post(new VerboseEvent($"Exporting the OS disk of '{vm.Name}' ({FormatBytes(size)}) with read access for {lifetime.TotalMinutes:0} minutes."));
            accessGranted = true;
            var source = await disks.GrantReadAccessAsync(vm.OsDiskId!, lifetime, cancellationToken).ConfigureAwait(false);

            // From here on the destination blob may exist (even when the request below fails or is cancelled).
            copyRequested = true;
            copyId = await store.Container.StartCopyAsync(source, vhdName, cancellationToken).ConfigureAwait(false);
            sink.Post(new VerboseEvent($"Copying '{vm.Name}' into {store.Container.GetBlobUri(vhdName)} as '{work.ImageName}'."));
            var state = await BlobCopies.WaitAsync(
                store.Container,
                vhdName,
                current => progress.Report(work, current.BytesCopied, current.TotalBytes > 0 ? current.TotalBytes : size ?? 0),
                time,
                cancellationToken).ConfigureAwait(false);

            if (state.Status != CopyStatusKind.Success)
            {
                throw new VhdCopyException(
                    $"The copy of '{vm.Name}' ended {state.Status}: {state.StatusDescription ?? "no reason given"}.");
            }

            copied = true;
            var record = new VhdRecord(
                work.ImageName, vm.ImagePath!, vm.Description, vm.OsType ?? "Windows", vhdName,
                time.GetUtcNow(), sysPrep, vm.Id);
            recordRequested = true;
            await store.Container.UploadTextAsync(record.RecordFileName, record.ToJson(), overwrite: false, cancellationToken).ConfigureAwait(false);
            recordWritten = true;
            progress.Finish(work);
            sink.Post(new ResultEvent(new VhdSaveResult
            {
                VmName = vm.Name, ImagePath = vm.ImagePath, ImageName = work.ImageName, Status = VhdSaveStatus.Saved,
                Specialized = !sysPrep, OsType = vm.OsType, VhdUri = store.Container.GetBlobUri(vhdName),
                RecordFileName = record.RecordFileName, BytesCopied = state.BytesCopied, Duration = time.GetElapsedTime(started),
            }));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            progress.Finish(work);
            var (errorId, category) = FailureClassifier.Classify(exception);
            sink.Post(new ItemErrorEvent(
                new VhdSaveException($"Saving VM '{vm.Name}' ({vm.ImagePath}) failed: {exception.Message}", exception),
                errorId,
                category,
                vm));
            sink.Post(new ResultEvent(new VhdSaveResult
            {
                VmName = vm.Name, ImagePath = vm.ImagePath, ImageName = work.ImageName, Status = VhdSaveStatus.Failed,
                Reason = exception.Message, OsType = vm.OsType, Specialized = !sysPrep, Duration = time.GetElapsedTime(started),
            }));
        }
        finally
        {
            // Cleanup must run even when the run was cancelled (Ctrl+C): it gets its own, bounded, token.
            // A copy whose start request failed or was cancelled may still have started: its id is then read back.
            using var cleanup = new CancellationTokenSource(CleanupTimeout);
            if (!recordWritten && copyRequested)
            {
                if (!copied)
                {
                    await IgnoreFailure(async () =>
                    {
                        var pendingCopyId = copyId
                            ?? (await store.Container.GetCopyStateAsync(vhdName, cleanup.Token).ConfigureAwait(false)) switch
                            {
                                { Status: CopyStatusKind.Pending, CopyId: { } id } => id,
                                _ => null,
                            };
                        if (pendingCopyId is not null)
                        {
                            await store.Container.AbortCopyAsync(vhdName, pendingCopyId, cleanup.Token).ConfigureAwait(false);
                        }
                    }).ConfigureAwait(false);
                }

                await IgnoreFailure(() => store.Container.DeleteIfExistsAsync(vhdName, cleanup.Token)).ConfigureAwait(false);
                if (recordRequested)
                {
                    // The upload may have reached the store before it failed: no record may outlive its VHD.
                    await IgnoreFailure(() => store.Container.DeleteIfExistsAsync(Path.ChangeExtension(vhdName, ".json"), cleanup.Token)).ConfigureAwait(false);
                }
            }

            if (accessGranted)
            {
                try
                {
                    await disks.RevokeAccessAsync(vm.OsDiskId!, cleanup.Token).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    sink.Post(new WarningEvent(
                        $"Could not revoke read access to the OS disk of '{vm.Name}' ({vm.OsDiskId}): {exception.Message}. " +
                        "It expires by itself; revoke it with the disk's 'Disk export' blade if needed."));
                }
            }
        }
    }

    private static async Task IgnoreFailure(Func<Task> cleanup)
    {
        try
        {
            await cleanup().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort: a re-run starts from a fresh blob name, and Remove-LabStaleImage sweeps orphans.
        }
    }

    private static string FormatBytes(long? bytes) =>
        bytes is null ? "size unknown" : $"{bytes.Value / (1024d * 1024 * 1024):0.#} GiB";

    internal sealed record SaveWork(GoldenVm Vm, string ImageName, int ActivityId);

    /// <summary>Bytes copied per image and overall, posted as progress events (the cmdlet draws them).</summary>
    private sealed class CopyProgressTracker(int count, IEngineEventSink sink)
    {
        private readonly ConcurrentDictionary<int, (long Copied, long Total)> perItem = new();
        private int finished;

        internal void Report(SaveWork work, long copied, long total)
        {
            perItem[work.ActivityId] = (copied, total);
            var percent = total > 0 ? (int)(copied * 100 / total) : 0;
            sink.Post(new ProgressEvent(work.ActivityId, 0, $"Saving {work.Vm.Name} as {work.ImageName}",
                $"{FormatBytes(copied)} of {FormatBytes(total)}", percent, Completed: false));
            PostOverall();
        }

        internal void Finish(SaveWork work)
        {
            Interlocked.Increment(ref finished);
            sink.Post(new ProgressEvent(work.ActivityId, 0, $"Saving {work.Vm.Name} as {work.ImageName}", "Done", 100, Completed: true));
            PostOverall();
        }

        internal void Complete() =>
            sink.Post(new ProgressEvent(0, null, "Saving golden VMs as VHDs", "Done", 100, Completed: true));

        private void PostOverall()
        {
            long copied = 0, total = 0;
            foreach (var (itemCopied, itemTotal) in perItem.Values)
            {
                copied += itemCopied;
                total += itemTotal;
            }

            var percent = total > 0 ? (int)(copied * 100 / total) : 0;
            sink.Post(new ProgressEvent(0, null, "Saving golden VMs as VHDs",
                $"{Volatile.Read(ref finished)} of {count} VMs done; {FormatBytes(copied)} of {FormatBytes(total)} copied", percent, Completed: false));
        }
    }
}

public sealed class VhdCopyException : Exception
{
    public VhdCopyException()
    {
    }

    public VhdCopyException(string message)
        : base(message)
    {
    }

    public VhdCopyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

public sealed class VhdSaveException : Exception
{
    public VhdSaveException()
    {
    }

    public VhdSaveException(string message)
        : base(message)
    {
    }

    public VhdSaveException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
