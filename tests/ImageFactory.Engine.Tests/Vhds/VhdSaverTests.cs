using Azure;
using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Tests.Fakes;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Tests.Vhds;

public sealed class VhdSaverTests
{
    /// <summary>Guards against a hang turning into a stuck test run; never an assertion about speed.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static readonly DateTimeOffset Now = new(2026, 11, 25, 17, 22, 33, TimeSpan.Zero);

    private readonly LabInfo lab = FakeLabGateway.Lab("Factory", "rg-factory");
    private readonly FakeDiskGateway disks = new();
    private readonly FakeBlobGatewayFactory blobs = new();
    private readonly RecordingSink sink = new();
    private readonly FakeTimeProvider time = new(Now);
    private readonly FakeBlobContainer store;
    private readonly VhdSaver saver;

    public VhdSaverTests()
    {
        store = blobs.Add(lab.ArtifactsStorageAccountId!, VhdStore.ContainerName, new FakeBlobContainer());
        saver = new VhdSaver(disks, blobs);
    }

    private GoldenVm Golden(
        string name,
        string imagePath = "Win2016/Datacenter.json",
        string powerState = "deallocated",
        string osType = "Windows",
        string? notes = "notes",
        DateTimeOffset? created = null) =>
        GoldenVmService.ToGoldenVm(lab, GoldenVmServiceTests.Vm(name, imagePath, powerState, osType: osType, notes: notes, created: created));

    private Task Save(IReadOnlyList<GoldenVm> machines, bool specialized = false, int maxConcurrency = 4, CancellationToken cancellationToken = default) =>
        saver.SaveAsync(
            lab,
            machines,
            new VhdSaveOptions { Specialized = specialized, MaxConcurrency = maxConcurrency, Time = time },
            sink,
            cancellationToken).WaitAsync(HangGuard, CancellationToken.None);

    private List<VhdRecord> StoredRecords() =>
        store.Records.Select(name => VhdRecord.Parse(store.TextOf(name)!, name)).ToList();

    private VhdSaveResult ResultOf(string vmName) => Assert.Single(sink.Results<VhdSaveResult>(), result => result.VmName == vmName);

    /// <summary>Every grant was revoked (a revocation of a grant cut short by cancellation is harmless).</summary>
    private void AssertEveryGrantRevoked()
    {
        Assert.Empty(disks.StillGranted);
        Assert.All(disks.Grants, grant => Assert.Contains(grant.DiskId, disks.Revocations));
    }

    private void AssertEveryVhdHasItsRecordAndNoOther()
    {
        Assert.Equal(
            store.Vhds.Select(name => Path.ChangeExtension(name, ".json")),
            store.Records);
    }

    [Fact]
    public async Task Saves_ready_vms_and_skips_a_running_one_with_a_warning_and_a_result()
    {
        var running = Golden("running", powerState: "running");
        var linux = Golden("linux", imagePath: "Linux/Ubuntu 22.04.json", osType: "Linux");
        var noNotes = Golden("nonotes", imagePath: "Win2019\\Base.json", notes: null);
        var special = Golden("special", imagePath: "Win2022/Special.json");

        await Save([running, linux, noNotes]);
        await Save([special], specialized: true);

        // Exactly three VHDs with their records, nothing else.
        Assert.Equal(3, store.Vhds.Count);
        AssertEveryVhdHasItsRecordAndNoOther();
        Assert.True(store.Exists);

        var records = StoredRecords().ToDictionary(record => record.SourceVmId!, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(3, records.Count);
        Assert.DoesNotContain(running.Id, records.Keys);

        var linuxRecord = records[linux.Id];
        Assert.Equal("Linux_Ubuntu-22_04-Nov-25-2026", linuxRecord.ImageName);
        Assert.Equal("Linux/Ubuntu 22.04.json", linuxRecord.ImagePath);
        Assert.Equal("Linux", linuxRecord.OsType);
        Assert.False(linuxRecord.SysPrep);
        Assert.Equal("notes", linuxRecord.Description);
        Assert.Equal(Now, linuxRecord.Timestamp);

        var noNotesRecord = records[noNotes.Id];
        Assert.Equal("Win2019_Base-Nov-25-2026", noNotesRecord.ImageName);
        Assert.Equal("Win2019/Base.json", noNotesRecord.ImagePath);
        Assert.True(string.IsNullOrEmpty(noNotesRecord.Description));
        Assert.True(noNotesRecord.SysPrep);
        Assert.Equal("Windows", noNotesRecord.OsType);

        var specialRecord = records[special.Id];
        Assert.False(specialRecord.SysPrep);
        Assert.True(specialRecord.IsSpecialized);
        Assert.Equal("Win2022_Special-Nov-25-2026", specialRecord.ImageName);

        foreach (var record in records.Values)
        {
            Assert.Contains(record.VhdFileName, store.Vhds);
            Assert.Matches("^[0-9a-f]{32}\\.vhd$", record.VhdFileName);
        }

        // The running VM: a warning and a Skipped result with the reason; its disk was never touched.
        Assert.Contains(sink.Warnings, warning => warning.Contains("'running'", StringComparison.Ordinal)
            && warning.Contains("not deallocated", StringComparison.Ordinal));
        var skipped = ResultOf("running");
        Assert.Equal(VhdSaveStatus.Skipped, skipped.Status);
        Assert.Contains("running, not deallocated", skipped.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(disks.Grants, grant => grant.DiskId == running.OsDiskId);

        // The saved ones: results without any SAS; specialized as asked; every access revoked.
        Assert.All((string[])["linux", "nonotes", "special"], name => Assert.Equal(VhdSaveStatus.Saved, ResultOf(name).Status));
        Assert.True(ResultOf("special").Specialized);
        Assert.True(ResultOf("linux").Specialized);
        Assert.False(ResultOf("nonotes").Specialized);
        Assert.All(sink.Results<VhdSaveResult>().Where(result => result.Status == VhdSaveStatus.Saved), result =>
        {
            Assert.Equal(string.Empty, result.VhdUri!.Query);
            Assert.StartsWith(store.ContainerUri.AbsoluteUri, result.VhdUri.AbsoluteUri, StringComparison.Ordinal);
            Assert.Equal(Path.ChangeExtension(Path.GetFileName(result.VhdUri.AbsolutePath), ".json"), result.RecordFileName);
        });
        Assert.Equal(3, disks.Grants.Count);
        AssertEveryGrantRevoked();
        Assert.Empty(sink.Errors);
        Assert.All(store.CopySources, source => Assert.Contains("sig=", source.Query, StringComparison.Ordinal));

        // Nothing secret reaches the output: no SAS in any message.
        Assert.DoesNotContain(sink.Events, e => e.ToString().Contains("sig=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_store_is_the_labs_artifacts_account_container_imagefactoryvhds()
    {
        await Save([Golden("a")]);

        Assert.Equal([(lab.ArtifactsStorageAccountId!, "imagefactoryvhds")], blobs.Opened);
    }

    [Fact]
    public async Task Nothing_ready_means_the_store_is_not_even_opened()
    {
        await Save([Golden("a", powerState: "stopped")]);

        Assert.Empty(blobs.Opened);
        Assert.Equal(VhdSaveStatus.Skipped, ResultOf("a").Status);
        Assert.Contains("stopped, not deallocated", ResultOf("a").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_are_unique_against_existing_records_and_within_the_run()
    {
        store.Seed("old.vhd", length: 100).Seed("old.json", VhdRecordTests.OriginalRecord(vhdFileName: "old.vhd"));
        Assert.Equal("Win2016_Datacenter-Nov-25-2026", VhdRecord.Parse(store.TextOf("old.json")!, "old.json").ImageName);

        await Save([Golden("first"), Golden("second")]);

        var names = StoredRecords().Where(record => record.SourceVmId is not null).Select(record => record.ImageName).Order(StringComparer.Ordinal);
        Assert.Equal(["Win2016_Datacenter-Nov-25-2026A", "Win2016_Datacenter-Nov-25-2026B"], names);
        Assert.Equal(3, store.Vhds.Count);
        AssertEveryVhdHasItsRecordAndNoOther();
    }

    [Fact]
    public async Task Two_vms_of_one_image_path_get_different_names_even_with_no_store_yet()
    {
        await Save([Golden("first"), Golden("second"), Golden("third")]);

        var names = StoredRecords().Select(record => record.ImageName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Win2016_Datacenter-Nov-25-2026", "Win2016_Datacenter-Nov-25-2026A", "Win2016_Datacenter-Nov-25-2026B"], names);
    }

    [Fact]
    public async Task A_failed_copy_is_an_item_error_leaves_nothing_behind_and_revokes_access()
    {
        store.Scripts["bad-os"] = new CopyScript { PendingPolls = 2, Outcome = CopyStatusKind.Failed, FailureDescription = "500 InternalError Copy failed." };
        var bad = Golden("bad");
        var good = Golden("good", imagePath: "Win2019/Base.json");

        await Save([bad, good]);

        var error = Assert.Single(sink.Errors);
        Assert.Same(bad, error.Target);
        Assert.Equal("VhdCopyFailed", error.ErrorId);
        Assert.Equal(FailureCategory.InvalidResult, error.Category);
        Assert.Contains("'bad'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Copy failed", error.Exception.Message, StringComparison.Ordinal);

        var failed = ResultOf("bad");
        Assert.Equal(VhdSaveStatus.Failed, failed.Status);
        Assert.Contains("Failed", failed.Reason, StringComparison.Ordinal);
        Assert.Null(failed.VhdUri);

        // Only the good VM's VHD and record remain; the bad blob was deleted.
        var record = Assert.Single(StoredRecords());
        Assert.Equal(good.Id, record.SourceVmId);
        Assert.Equal([record.VhdFileName], store.Vhds);
        Assert.Single(store.Deletes, name => name.EndsWith(".vhd", StringComparison.Ordinal));
        Assert.Equal(VhdSaveStatus.Saved, ResultOf("good").Status);
        AssertEveryGrantRevoked();
        Assert.Equal(0, store.ActiveCopies);
    }

    [Fact]
    public async Task A_copy_that_ends_aborted_or_vanishes_is_a_failure_too()
    {
        store.Scripts["aborted-os"] = new CopyScript { PendingPolls = 1, Outcome = CopyStatusKind.Aborted };
        store.Scripts["vanished-os"] = new CopyScript { Outcome = CopyStatusKind.None };

        await Save([Golden("aborted"), Golden("vanished")]);

        Assert.Equal(VhdSaveStatus.Failed, ResultOf("aborted").Status);
        Assert.Equal(VhdSaveStatus.Failed, ResultOf("vanished").Status);
        Assert.Empty(store.BlobNames);
        AssertEveryGrantRevoked();
    }

    [Fact]
    public async Task A_record_that_cannot_be_written_leaves_neither_vhd_nor_record()
    {
        store.UploadFailure = _ => new RequestFailedException(503, "Server busy.", "ServerBusy", null);

        await Save([Golden("a")]);

        Assert.Equal(VhdSaveStatus.Failed, ResultOf("a").Status);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("StorageRequestFailed", error.ErrorId);
        Assert.Empty(store.BlobNames);
        Assert.Contains(store.Deletes, name => name.EndsWith(".json", StringComparison.Ordinal));
        AssertEveryGrantRevoked();
    }

    [Fact]
    public async Task A_copy_whose_start_request_failed_after_creating_the_blob_leaves_no_vhd()
    {
        store.Scripts["a-os"] = new CopyScript
        {
            Outcome = CopyStatusKind.Pending,
            StartFailure = new RequestFailedException(500, "Timed out.", "OperationTimedOut", null),
            StartCreatesBlob = true,
        };

        await Save([Golden("a")]);

        Assert.Equal(VhdSaveStatus.Failed, ResultOf("a").Status);
        Assert.Empty(store.BlobNames);
        Assert.Single(store.Aborts);
        Assert.Equal(0, store.ActiveCopies);
        AssertEveryGrantRevoked();
    }

    [Fact]
    public async Task A_grant_that_fails_is_an_item_error_and_is_revoked_anyway()
    {
        disks.GrantFailure = _ => new AzureRequestException(409, "OperationNotAllowed", "Disk is attached to a running VM.", "POST", "/disk");

        await Save([Golden("a")]);

        var error = Assert.Single(sink.Errors);
        Assert.Equal("AzureConflict", error.ErrorId);
        Assert.Equal(VhdSaveStatus.Failed, ResultOf("a").Status);
        Assert.Empty(store.BlobNames);
        Assert.Equal(0, store.CopiesStarted);
        AssertEveryGrantRevoked();
    }

    [Fact]
    public async Task A_revocation_that_fails_is_a_warning_and_the_vhd_stays_saved()
    {
        disks.RevokeFailure = _ => new AzureRequestException(500, "InternalError", "Try again.", "POST", "/disk");

        await Save([Golden("a")]);

        Assert.Equal(VhdSaveStatus.Saved, ResultOf("a").Status);
        Assert.Contains(sink.Warnings, warning => warning.Contains("revoke", StringComparison.OrdinalIgnoreCase));
        Assert.Single(StoredRecords());
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public async Task Cancelling_mid_copy_aborts_deletes_revokes_writes_no_record_and_throws()
    {
        using var cancellation = new CancellationTokenSource();
        // Cancelled (as by Ctrl+C) once both copies run, while they are pending.
        store.Scripts["a-os"] = CopyScript.Never with
        {
            OnPoll = poll =>
            {
                if (poll >= 3 && store.ActiveCopies == 2)
                {
                    cancellation.Cancel();
                }
            },
        };
        store.Scripts["b-os"] = CopyScript.Never;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Save([Golden("a"), Golden("b", imagePath: "Win2019/Base.json"), Golden("c", imagePath: "Win2022/C.json")], maxConcurrency: 2, cancellationToken: cancellation.Token));

        Assert.Empty(store.BlobNames);
        Assert.Empty(StoredRecords());
        Assert.Equal(0, store.ActiveCopies);
        Assert.Equal(2, store.CopiesStarted);
        Assert.Equal(2, store.Aborts.Count);
        Assert.All(store.Aborts, name => Assert.Contains(name, store.Deletes));
        AssertEveryGrantRevoked();
        Assert.Equal(2, disks.Grants.Count);

        // The third VM waited for a slot and never started; cancellation is not reported as a per-VM failure.
        Assert.DoesNotContain(disks.Grants, grant => grant.DiskId == FakeDiskGateway.DiskId("c-os"));
        Assert.Empty(sink.Errors);
        Assert.DoesNotContain(sink.Results<VhdSaveResult>(), result => result.Status == VhdSaveStatus.Saved);

        // The overall progress bar is closed.
        Assert.Contains(sink.Events.OfType<ProgressEvent>(), progress => progress.ActivityId == 0 && progress.Completed);
    }

    [Fact]
    public async Task Cancelling_before_anything_started_throws_and_touches_nothing()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Save([Golden("a")], cancellationToken: cancellation.Token));

        Assert.Empty(disks.Grants);
        Assert.Equal(0, store.CopiesStarted);
    }

    [Fact]
    public async Task A_rerun_after_partial_success_saves_only_the_missing_vms()
    {
        store.Scripts["b-os"] = new CopyScript { Outcome = CopyStatusKind.Failed };
        var a = Golden("a");
        var b = Golden("b", imagePath: "Win2019/Base.json");
        await Save([a, b]);
        Assert.Single(StoredRecords());
        var grantsAfterFirstRun = disks.Grants.Count;

        store.Scripts.Remove("b-os");
        var rerun = new RecordingSink();
        await saver.SaveAsync(lab, [a, b], new VhdSaveOptions { Time = time }, rerun, CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(2, StoredRecords().Count);
        Assert.Equal([a.Id, b.Id], StoredRecords().Select(record => record.SourceVmId!).Order(StringComparer.Ordinal));
        Assert.Equal([b.OsDiskId], disks.Grants.Skip(grantsAfterFirstRun).Select(grant => grant.DiskId));
        var skipped = Assert.Single(rerun.Results<VhdSaveResult>(), result => result.VmName == "a");
        Assert.Equal(VhdSaveStatus.Skipped, skipped.Status);
        Assert.Contains("already saved as 'Win2016_Datacenter-Nov-25-2026'", skipped.Reason, StringComparison.Ordinal);
        Assert.Equal(VhdSaveStatus.Saved, Assert.Single(rerun.Results<VhdSaveResult>(), result => result.VmName == "b").Status);
        AssertEveryVhdHasItsRecordAndNoOther();

        // And a third run saves nothing at all.
        var third = new RecordingSink();
        await saver.SaveAsync(lab, [a, b], new VhdSaveOptions { Time = time }, third, CancellationToken.None).WaitAsync(HangGuard);
        Assert.All(third.Results<VhdSaveResult>(), result => Assert.Equal(VhdSaveStatus.Skipped, result.Status));
        Assert.Equal(2, store.Vhds.Count);
    }

    [Fact]
    public async Task A_vm_recreated_after_its_save_is_saved_again()
    {
        var before = Golden("a", created: Now.AddDays(-2));
        await Save([before]);
        time.Now = Now.AddDays(1);

        await Save([Golden("a", created: Now.AddHours(1))]);

        Assert.Equal(2, StoredRecords().Count);
        Assert.Equal(["Win2016_Datacenter-Nov-25-2026", "Win2016_Datacenter-Nov-26-2026"], StoredRecords().Select(record => record.ImageName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_same_vm_given_twice_is_saved_once()
    {
        var a = Golden("a");

        await Save([a, a]);

        Assert.Single(StoredRecords());
        Assert.Single(disks.Grants);
        Assert.Single(sink.Results<VhdSaveResult>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task At_most_max_concurrency_copies_run_at_a_time(int maxConcurrency)
    {
        const int count = 7;

        // Each copy stays pending until the bound has been reached once (or every copy has started), so the
        // maximum is reached deterministically and could be exceeded if the bound were not respected.
        store.DefaultScript = new CopyScript
        {
            PendingPolls = 3,
            PendingWhile = () => store.MaxConcurrentCopies < maxConcurrency && store.CopiesStarted < count,
        };
        var machines = Enumerable.Range(1, count).Select(i => Golden($"vm{i}", imagePath: $"P/Image{i}.json")).ToList();

        await Save(machines, maxConcurrency: maxConcurrency);

        Assert.Equal(maxConcurrency, store.MaxConcurrentCopies);
        Assert.Equal(count, StoredRecords().Count);
        AssertEveryGrantRevoked();
    }

    [Fact]
    public async Task Polling_waits_on_the_options_clock()
    {
        store.DefaultScript = new CopyScript { PendingPolls = 4 };

        await Save([Golden("a")]);

        Assert.True(time.TimersCreated >= 4);
        Assert.Equal(VhdSaveStatus.Saved, ResultOf("a").Status);
        Assert.Equal(1024, ResultOf("a").BytesCopied);
    }

    [Fact]
    public async Task The_disk_sas_lifetime_is_sized_to_the_disk_not_ten_hours()
    {
        disks.Sizes[FakeDiskGateway.DiskId("small-os")] = 32 * FakeDiskGateway.GiB;
        disks.Sizes[FakeDiskGateway.DiskId("big-os")] = 1024 * FakeDiskGateway.GiB;

        await Save([Golden("small"), Golden("big", imagePath: "Big/Disk.json")]);

        var grants = disks.Grants.ToDictionary(grant => grant.DiskId, grant => grant.Duration);
        Assert.Equal(TimeSpan.FromHours(1), grants[FakeDiskGateway.DiskId("small-os")]);
        Assert.Equal(VhdSaver.SasLifetimeFor(1024 * FakeDiskGateway.GiB), grants[FakeDiskGateway.DiskId("big-os")]);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(30L)]
    [InlineData(64L)]
    [InlineData(127L)]
    [InlineData(128L)]
    public void Small_and_common_disks_never_get_ten_hours(long gibibytes)
    {
        var lifetime = VhdSaver.SasLifetimeFor(gibibytes * FakeDiskGateway.GiB);

        Assert.True(lifetime < TimeSpan.FromHours(10), lifetime.ToString());
        Assert.True(lifetime >= TimeSpan.FromHours(1));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(127L)]
    [InlineData(512L)]
    [InlineData(1024L)]
    public void The_lifetime_covers_a_copy_at_the_assumed_floor_speed(long gibibytes)
    {
        var bytes = gibibytes * FakeDiskGateway.GiB;
        var copy = TimeSpan.FromSeconds(bytes / VhdSaver.AssumedMinimumCopyBytesPerSecond);

        Assert.True(VhdSaver.SasLifetimeFor(bytes) > copy);
    }

    [Fact]
    public void The_lifetime_grows_with_the_disk_within_bounds()
    {
        var sizes = new long?[] { 1, 64, 127, 256, 512, 1024, 2048, 4096, 32767 }.Select(gib => gib * FakeDiskGateway.GiB).ToList();
        var lifetimes = sizes.Select(VhdSaver.SasLifetimeFor).ToList();

        Assert.Equal(lifetimes.Order(), lifetimes);
        Assert.Equal(TimeSpan.FromHours(1), lifetimes[0]);
        Assert.Equal(TimeSpan.FromHours(24), lifetimes[^1]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(-5L)]
    public void An_unknown_size_gets_a_moderate_lifetime(long? size)
    {
        var lifetime = VhdSaver.SasLifetimeFor(size);

        Assert.True(lifetime < TimeSpan.FromHours(10));
        Assert.True(lifetime >= TimeSpan.FromHours(1));
    }

    [Fact]
    public void Polling_starts_fast_and_slows_down_within_bounds()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(200), BlobCopies.PollingInterval(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(6), BlobCopies.PollingInterval(TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromSeconds(15), BlobCopies.PollingInterval(TimeSpan.FromHours(2)));
    }
}
