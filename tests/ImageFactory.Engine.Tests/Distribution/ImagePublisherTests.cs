using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Distribution;
using ImageFactory.Engine.Execution;
using ImageFactory.Engine.Tests.Fakes;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Tests.Distribution;

/// <summary>
/// <see cref="ImagePublisher.PublishAsync"/> against fakes. Copies are scripted per destination (a lab's staging
/// container); a copy reading the factory store is scripted under "imagefactoryvhds", one reading a lab's replica
/// under "imagefactory-staging" (the fake keys scripts by the source URL's first segment).
/// </summary>
public sealed class ImagePublisherTests
{
    /// <summary>Guards against a hang turning into a stuck test run; never an assertion about speed.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private const string SourceId = "0123456789abcdef0123456789abcdef";

    private readonly LabInfo factory = DistributionLabGateway.Lab("Factory", "sub-f", "rg-f");
    private readonly DistributionLabGateway labs = new();
    private readonly TrackingBlobFactory blobs = new();
    private readonly RecordingSink sink = new();
    private readonly FakeBlobContainer store;

    public ImagePublisherTests()
    {
        store = blobs.Fake(factory.ArtifactsStorageAccountId!, VhdStore.ContainerName).Seed(SourceId + ".vhd", length: 1024);
        labs.Meter = blobs.Meter;
        labs.Blobs = blobs;
    }

    private string StoreBlobUrl => store.GetBlobUri(SourceId + ".vhd").AbsoluteUri;

    private static List<LabInfo> Labs(int count, string location = "westeurope") =>
        Enumerable.Range(1, count).Select(index => DistributionLabGateway.Lab($"Lab{index}", location: location)).ToList();

    private DistributionPlanItem Item(
        LabInfo lab,
        DistributionAction action = DistributionAction.Copy,
        string sourceId = SourceId,
        string osType = "Windows",
        bool specialized = false,
        string? reason = null) => new()
        {
            Action = action,
            Reason = reason,
            ImageName = "Win2016_Datacenter-" + sourceId[..4],
            ImagePath = "Win2016/Datacenter.json",
            SourceId = sourceId,
            OsType = osType,
            Specialized = specialized,
            Description = "The golden image",
            SourceVhdUri = store.GetBlobUri(sourceId + ".vhd"),
            SourceStorageAccountId = factory.ArtifactsStorageAccountId!,
            SourceLocation = factory.Location,
            TargetSubscriptionId = lab.SubscriptionId,
            TargetLabName = lab.Name,
            TargetResourceGroupName = lab.ResourceGroup,
            TargetLabId = lab.Id,
            TargetLocation = lab.Location,
            TargetStorageAccountId = lab.DefaultStorageAccountId,
        };

    private FakeBlobContainer Staging(LabInfo lab) => blobs.Fake(lab.DefaultStorageAccountId!, ImagePublisher.StagingContainer);

    private string StagingBlobUrl(LabInfo lab) => Staging(lab).GetBlobUri(SourceId + ".vhd").AbsoluteUri;

    private Task<DistributionSummary> Publish(
        IReadOnlyList<DistributionPlanItem> items, bool useReplicas = true, int maxConcurrency = 4, CancellationToken cancellationToken = default) =>
        new ImagePublisher(labs, blobs)
            .PublishAsync(items, new PublishOptions { UseReplicas = useReplicas, MaxConcurrency = maxConcurrency }, sink, cancellationToken)
            .WaitAsync(HangGuard, CancellationToken.None);

    private DistributionResult ResultOf(string labName) =>
        Assert.Single(sink.Results<DistributionResult>(), result => result.TargetLabName == labName);

    /// <summary>The one copy each lab received, as the URL (no SAS) of the blob it was copied from.</summary>
    private string SourceOf(LabInfo lab) => Assert.Single(Staging(lab).CopySources).GetLeftPart(UriPartial.Path);

    /// <summary>No temporary VHD is left in any lab, the store's VHD is untouched, and no copy is still running.</summary>
    private void AssertCleanedUp(IEnumerable<LabInfo> targets)
    {
        Assert.All(targets, lab =>
        {
            Assert.Empty(Staging(lab).BlobNames);
            Assert.Equal(0, Staging(lab).ActiveCopies);
        });
        Assert.Contains(SourceId + ".vhd", store.BlobNames);
        Assert.Empty(store.Deletes);
        Assert.Equal(0, blobs.Meter.Current);
        Assert.Empty(blobs.DeletedWhileInUse);
    }

    [Fact]
    public async Task Publishes_every_copy_reports_skips_and_blocks_and_sums_them_up()
    {
        var targets = Labs(3);
        var skipped = DistributionLabGateway.Lab("Skipped");
        var blocked = DistributionLabGateway.Lab("Blocked");
        List<DistributionPlanItem> items =
        [
            .. targets.Select(lab => Item(lab)),
            Item(skipped, DistributionAction.Skip, reason: "the lab already has it as 'X'"),
            Item(blocked, DistributionAction.Blocked, reason: "no access to lab 'Blocked'"),
        ];

        var summary = await Publish(items);

        Assert.Equal(3, summary.Published);
        Assert.Equal(1, summary.Skipped);
        Assert.Equal(1, summary.Blocked);
        Assert.Equal(0, summary.Failed);
        Assert.Equal(3 * 1024, summary.BytesCopied);
        Assert.Equal("3 published, 1 skipped, 0 failed, 1 blocked", summary.ToString());

        var results = sink.Results<DistributionResult>();
        Assert.Equal(5, results.Count);
        Assert.Equal(summary.BytesCopied, results.Sum(result => result.BytesCopied));
        Assert.Equal(DistributionStatus.Skipped, ResultOf("Skipped").Status);
        Assert.Equal("the lab already has it as 'X'", ResultOf("Skipped").Reason);
        Assert.Equal(DistributionStatus.Blocked, ResultOf("Blocked").Status);
        Assert.Contains(sink.Warnings, warning => warning.Contains("lab 'Blocked'", StringComparison.Ordinal) && warning.Contains("no access", StringComparison.Ordinal));
        Assert.Empty(sink.Errors);
        Assert.DoesNotContain(labs.Calls, call => call.Contains("Skipped", StringComparison.Ordinal) || call.Contains("Blocked", StringComparison.Ordinal));

        foreach (var lab in targets)
        {
            var result = ResultOf(lab.Name);
            Assert.Equal(DistributionStatus.Published, result.Status);
            Assert.Equal($"{lab.Id}/customimages/Win2016_Datacenter-0123", result.CustomImageId);
            Assert.Equal(1024, result.BytesCopied);
            Assert.Equal("Win2016/Datacenter.json", result.ImagePath);
            Assert.Equal("sub-1", result.TargetSubscriptionId);
            Assert.Null(result.Reason);
            Assert.NotNull(result.CopiedFrom);

            // The image is made from the lab's own storage account, tagged, and generalized (a Windows VHD not specialized).
            var (createdIn, request) = Assert.Single(labs.Created, created => created.Lab.Name == lab.Name);
            Assert.Equal(lab.Id, createdIn.Id);
            Assert.Equal(lab.ResourceGroup, createdIn.ResourceGroup);
            Assert.Equal("Win2016_Datacenter-0123", request.Name);
            Assert.Equal(StagingBlobUrl(lab), request.VhdUri.AbsoluteUri);
            Assert.Equal(string.Empty, request.VhdUri.Query);
            Assert.Equal("Windows", request.OsType);
            Assert.True(request.SysPrep);
            Assert.Equal("The golden image", request.Description);
            Assert.Equal(2, request.Tags.Count);
            Assert.Equal("Win2016/Datacenter.json", request.Tags[ImageTags.ImagePath]);
            Assert.Equal(SourceId, request.Tags[ImageTags.SourceId]);

            // Every copy is into the staging container as {SourceId}.vhd, from a read SAS.
            var copy = Assert.Single(Staging(lab).CopySources);
            Assert.Contains("sig=", copy.Query, StringComparison.Ordinal);
            Assert.True(Staging(lab).Exists);
        }

        AssertCleanedUp(targets);
        Assert.All(targets, lab => Assert.Contains(SourceId + ".vhd", Staging(lab).Deletes));

        // Progress ends at 100 %, and nothing secret is ever written.
        var last = Assert.IsType<ProgressEvent>(sink.Events[^1]);
        Assert.True(last.Completed);
        Assert.Equal(100, last.PercentComplete);
        Assert.DoesNotContain(sink.Events, e => e.ToString().Contains("sig=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Windows", false, true)]
    [InlineData("Windows", true, false)]
    [InlineData("Linux", false, false)]
    [InlineData("linux", true, false)]
    public async Task Only_a_windows_vhd_that_is_not_specialized_is_created_sysprepped(string osType, bool specialized, bool sysPrep)
    {
        var lab = Labs(1)[0];

        await Publish([Item(lab, osType: osType, specialized: specialized)]);

        var (_, request) = Assert.Single(labs.Created);
        Assert.Equal(sysPrep, request.SysPrep);
        Assert.Equal(osType, request.OsType);
    }

    [Fact]
    public async Task Nothing_to_copy_opens_no_storage_and_still_ends_the_progress()
    {
        var summary = await Publish([Item(Labs(1)[0], DistributionAction.Skip, reason: "there")]);

        Assert.Equal(1, summary.Skipped);
        Assert.Empty(blobs.Inner.Opened);
        Assert.True(Assert.IsType<ProgressEvent>(sink.Events[^1]).Completed);
    }

    [Fact]
    public async Task With_replicas_labs_that_received_the_vhd_serve_it_one_copy_at_a_time()
    {
        var targets = Labs(7);
        foreach (var lab in targets)
        {
            Staging(lab).DefaultScript = new CopyScript { PendingPolls = 1 };
        }

        var summary = await Publish(targets.Select(lab => Item(lab)).ToList(), useReplicas: true, maxConcurrency: 8);

        Assert.Equal(7, summary.Published);
        var replicaUrls = targets.ToDictionary(StagingBlobUrl, lab => lab.Name, StringComparer.OrdinalIgnoreCase);
        var fromReplicas = 0;
        foreach (var lab in targets)
        {
            var source = SourceOf(lab);
            var result = ResultOf(lab.Name);
            if (string.Equals(source, StoreBlobUrl, StringComparison.OrdinalIgnoreCase))
            {
                Assert.Equal("factory store", result.CopiedFrom);
            }
            else
            {
                // A replica is the staging copy of another lab of this run.
                Assert.True(replicaUrls.TryGetValue(source, out var servedBy), $"{lab.Name} was copied from {source}");
                Assert.NotEqual(lab.Name, servedBy);
                Assert.Equal($"lab '{servedBy}'", result.CopiedFrom);
                fromReplicas++;
            }
        }

        // The store alone would need seven rounds; with replicas the sources double each round.
        Assert.True(fromReplicas >= 3, $"{fromReplicas} copies from replicas");

        // A source never served two copies at once.
        Assert.All(blobs.MaxReaders, pair => Assert.Equal(1, pair.Value));
        Assert.Contains(StoreBlobUrl, blobs.MaxReaders.Keys);
        AssertCleanedUp(targets);
    }

    [Fact]
    public async Task A_source_serves_a_lab_of_its_own_region_first()
    {
        var far = DistributionLabGateway.Lab("Far", location: "eastus");
        var near = DistributionLabGateway.Lab("Near", location: "WestEurope");

        await Publish([Item(far), Item(near)], useReplicas: true);

        var copies = sink.Verbose.Where(message => message.StartsWith("Copying", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, copies.Count);
        Assert.Contains("lab 'Near'", copies[0], StringComparison.Ordinal);
        Assert.Contains("from the factory store", copies[0], StringComparison.Ordinal);
        Assert.Equal(StoreBlobUrl, SourceOf(near));
    }

    [Fact]
    public async Task Without_replicas_the_store_serves_every_copy()
    {
        var targets = Labs(5);
        foreach (var lab in targets)
        {
            Staging(lab).DefaultScript = new CopyScript { PendingPolls = 1 };
        }

        var summary = await Publish(targets.Select(lab => Item(lab)).ToList(), useReplicas: false, maxConcurrency: 8);

        Assert.Equal(5, summary.Published);
        Assert.All(targets, lab =>
        {
            Assert.Equal(StoreBlobUrl, SourceOf(lab));
            Assert.Equal("factory store", ResultOf(lab.Name).CopiedFrom);
        });

        // Only the store was read, and by all five labs at once (nothing bounds it but MaxConcurrency).
        Assert.Equal(StoreBlobUrl, Assert.Single(blobs.MaxReaders).Key);
        Assert.Equal(5, blobs.MaxReaders[StoreBlobUrl]);
        Assert.All(store.ReadSasIssued, sas => Assert.True(sas.Lifetime >= TimeSpan.FromHours(1)));
        AssertCleanedUp(targets);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    [InlineData(true, 3)]
    public async Task Copies_and_image_creations_together_never_exceed_max_concurrency(bool useReplicas, int maxConcurrency)
    {
        var targets = Labs(6);
        foreach (var lab in targets)
        {
            Staging(lab).DefaultScript = new CopyScript { PendingPolls = 1 };
        }

        labs.CreateDelay = TimeSpan.FromMilliseconds(30);

        var summary = await Publish(targets.Select(lab => Item(lab)).ToList(), useReplicas, maxConcurrency);

        Assert.Equal(6, summary.Published);
        Assert.InRange(blobs.Meter.Max, 1, maxConcurrency);
        if (!useReplicas)
        {
            // The store serves every copy at once, so the bound is reached.
            Assert.Equal(maxConcurrency, blobs.Meter.Max);
        }

        AssertCleanedUp(targets);
    }

    [Fact]
    public async Task The_factory_lab_gets_its_image_straight_from_the_store_which_is_never_deleted()
    {
        // The factory lab's own storage account holds the store: no copy, the image is made from the store's blob.
        var factoryAsTarget = factory with { DefaultStorageAccountId = factory.ArtifactsStorageAccountId };
        var other = Labs(1)[0];

        var summary = await Publish([Item(factoryAsTarget), Item(other)]);

        Assert.Equal(2, summary.Published);
        Assert.Equal(1024, summary.BytesCopied);
        var result = ResultOf("Factory");
        Assert.Equal(DistributionStatus.Published, result.Status);
        Assert.Equal("factory store", result.CopiedFrom);
        Assert.Equal(0, result.BytesCopied);
        var (_, request) = Assert.Single(labs.Created, created => created.Lab.Name == "Factory");
        Assert.Equal(StoreBlobUrl, request.VhdUri.AbsoluteUri);

        Assert.Equal(0, store.CopiesStarted);
        Assert.DoesNotContain(blobs.Inner.Opened, opened => opened.Container == ImagePublisher.StagingContainer && opened.AccountId == factory.ArtifactsStorageAccountId);
        Assert.Empty(store.Deletes);
        Assert.Contains(SourceId + ".vhd", store.BlobNames);
        AssertCleanedUp([other]);
    }

    [Fact]
    public async Task A_failed_copy_fails_its_lab_alone_and_the_lab_never_serves_as_a_replica()
    {
        var targets = Labs(5);
        var broken = targets[0];
        Staging(broken).DefaultScript = new CopyScript { PendingPolls = 1, Outcome = CopyStatusKind.Failed, FailureDescription = "500 InternalError Copy failed." };
        var items = targets.Select(lab => Item(lab)).ToList();

        var summary = await Publish(items, useReplicas: true);

        Assert.Equal(1, summary.Failed);
        Assert.Equal(4, summary.Published);
        var error = Assert.Single(sink.Errors);
        Assert.Same(items[0], error.Target);
        Assert.Equal("VhdCopyFailed", error.ErrorId);
        Assert.Equal(FailureCategory.InvalidResult, error.Category);
        Assert.IsType<DistributionException>(error.Exception);
        Assert.Contains("lab 'Lab1'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Copy failed", error.Exception.Message, StringComparison.Ordinal);

        var failed = ResultOf("Lab1");
        Assert.Equal(DistributionStatus.Failed, failed.Status);
        Assert.Contains("Failed", failed.Reason, StringComparison.Ordinal);
        Assert.Null(failed.CustomImageId);
        Assert.Equal(0, failed.BytesCopied);
        Assert.DoesNotContain(labs.Calls, call => call == "CreateImage Lab1");

        // The others were published, some served by replicas, none by the lab whose copy failed.
        Assert.All(targets.Skip(1), lab => Assert.Equal(DistributionStatus.Published, ResultOf(lab.Name).Status));
        Assert.Contains(targets.Skip(1), lab => ResultOf(lab.Name).CopiedFrom!.StartsWith("lab '", StringComparison.Ordinal));
        Assert.All(targets.Skip(1), lab => Assert.NotEqual(StagingBlobUrl(broken), SourceOf(lab)));
        Assert.Equal(4 * 1024, summary.BytesCopied);
        AssertCleanedUp(targets);
    }

    [Fact]
    public async Task A_copy_that_cannot_even_start_fails_its_lab_and_leaves_no_blob()
    {
        var targets = Labs(3);
        Staging(targets[1]).DefaultScript = new CopyScript
        {
            Outcome = CopyStatusKind.Pending,
            StartFailure = new global::Azure.RequestFailedException(500, "Timed out.", "OperationTimedOut", null),
            StartCreatesBlob = true,
        };

        var summary = await Publish(targets.Select(lab => Item(lab)).ToList());

        Assert.Equal(2, summary.Published);
        Assert.Equal(1, summary.Failed);
        Assert.Equal("StorageRequestFailed", Assert.Single(sink.Errors).ErrorId);
        AssertCleanedUp(targets);
    }

    [Fact]
    public async Task A_plan_item_without_a_storage_account_fails_alone()
    {
        var targets = Labs(2);
        var items = targets.Select(lab => Item(lab)).ToList();
        items[0] = new DistributionPlanItem
        {
            Action = DistributionAction.Copy,
            ImageName = items[0].ImageName,
            ImagePath = items[0].ImagePath,
            SourceId = SourceId,
            OsType = "Windows",
            SourceVhdUri = items[0].SourceVhdUri,
            SourceStorageAccountId = items[0].SourceStorageAccountId,
            SourceLocation = items[0].SourceLocation,
            TargetSubscriptionId = "sub-1",
            TargetLabName = "Lab1",
            TargetLabId = targets[0].Id,
        };

        var summary = await Publish(items);

        Assert.Equal(1, summary.Failed);
        Assert.Equal(1, summary.Published);
        Assert.Same(items[0], Assert.Single(sink.Errors).Target);
    }

    [Fact]
    public async Task A_failed_image_creation_fails_its_lab_and_its_temporary_vhd_is_still_removed()
    {
        var targets = Labs(3);
        var items = targets.Select(lab => Item(lab)).ToList();
        labs.Failures["CreateImage Lab2"] = new AzureRequestException(0, "InternalError", "The custom image could not be created.", "PUT", targets[1].Id + "/customimages/x");

        var summary = await Publish(items);

        Assert.Equal(2, summary.Published);
        Assert.Equal(1, summary.Failed);
        var error = Assert.Single(sink.Errors);
        Assert.Same(items[1], error.Target);
        Assert.Equal("AzureOperationFailed", error.ErrorId);
        Assert.Contains("could not be created", error.Exception.Message, StringComparison.Ordinal);
        var failed = ResultOf("Lab2");
        Assert.Equal(DistributionStatus.Failed, failed.Status);
        Assert.Equal("The custom image could not be created.", failed.Reason);
        Assert.Contains(SourceId + ".vhd", Staging(targets[1]).Deletes);
        AssertCleanedUp(targets);
    }

    [Fact]
    public async Task A_complete_copy_left_by_an_earlier_run_is_reused_without_copying()
    {
        var targets = Labs(2);
        var earlier = Staging(targets[0]);
        await earlier.StartCopyAsync(new Uri($"https://afactory.blob.example.test/imagefactoryvhds/{SourceId}.vhd?sig=old"), SourceId + ".vhd", CancellationToken.None);
        Assert.Equal(CopyStatusKind.Success, (await earlier.GetCopyStateAsync(SourceId + ".vhd", CancellationToken.None)).Status);

        var summary = await Publish(targets.Select(lab => Item(lab)).ToList(), useReplicas: false);

        Assert.Equal(2, summary.Published);
        Assert.Equal(1, earlier.CopiesStarted);
        Assert.Contains(sink.Verbose, message => message.Contains("already holds a complete copy", StringComparison.Ordinal) && message.Contains("'Lab1'", StringComparison.Ordinal));
        var (_, request) = Assert.Single(labs.Created, created => created.Lab.Name == "Lab1");
        Assert.Equal(StagingBlobUrl(targets[0]), request.VhdUri.AbsoluteUri);

        // Nothing was copied for Lab1 in this run: the totals say so, and the result agrees with them.
        Assert.Equal(1024, summary.BytesCopied);
        Assert.Equal(0, ResultOf("Lab1").BytesCopied);
        Assert.Equal(summary.BytesCopied, sink.Results<DistributionResult>().Sum(result => result.BytesCopied));
        AssertCleanedUp(targets);
    }

    [Fact]
    public async Task Other_leftovers_are_removed_and_copied_again()
    {
        var targets = Labs(3);

        // Lab1: a copy still pending from an interrupted run; Lab2: a blob with no copy at all; Lab3: a failed copy.
        var pending = Staging(targets[0]);
        pending.Scripts["old-store"] = CopyScript.Never;
        var pendingId = await pending.StartCopyAsync(new Uri("https://old.example.test/old-store/x.vhd"), SourceId + ".vhd", CancellationToken.None);
        Staging(targets[1]).Seed(SourceId + ".vhd", length: 7);
        var failedEarlier = Staging(targets[2]);
        failedEarlier.Scripts["old-store"] = new CopyScript { Outcome = CopyStatusKind.Failed };
        await failedEarlier.StartCopyAsync(new Uri("https://old.example.test/old-store/x.vhd"), SourceId + ".vhd", CancellationToken.None);

        var summary = await Publish(targets.Select(lab => Item(lab)).ToList());

        Assert.Equal(3, summary.Published);
        Assert.Equal(3 * 1024, summary.BytesCopied);
        Assert.Contains(SourceId + ".vhd", pending.Aborts);
        Assert.NotNull(pendingId);
        Assert.All(targets, lab =>
        {
            Assert.Equal(2, Staging(lab).Deletes.Count(name => name == SourceId + ".vhd"));
            Assert.Equal(SourceId + ".vhd", Staging(lab).Deletes[0]);
        });
        Assert.Equal(1, Staging(targets[1]).CopiesStarted);
        Assert.Equal(2, pending.CopiesStarted);
        AssertCleanedUp(targets);
    }

    [Fact]
    public async Task Cancellation_mid_copy_aborts_the_copy_and_removes_its_blob()
    {
        var lab = Labs(1)[0];
        using var cancellation = new CancellationTokenSource();
        Staging(lab).DefaultScript = CopyScript.Never with { OnPoll = poll => cancellation.Cancel() };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Publish([Item(lab)], cancellationToken: cancellation.Token));

        Assert.Contains(SourceId + ".vhd", Staging(lab).Aborts);
        Assert.Contains(SourceId + ".vhd", Staging(lab).Deletes);
        Assert.Empty(labs.Created);
        Assert.Empty(sink.Errors);
        Assert.DoesNotContain(sink.Results<DistributionResult>(), result => result.Status == DistributionStatus.Failed);
        AssertCleanedUp([lab]);
    }

    [Fact]
    public async Task Cancellation_with_several_copies_running_removes_every_temporary_vhd_finished_ones_included()
    {
        // Lab1 receives the VHD at once (and gets its image); Lab2 and Lab3 are still copying when the run is cancelled.
        var targets = Labs(3);
        using var cancellation = new CancellationTokenSource();
        Staging(targets[1]).DefaultScript = CopyScript.Never with { OnPoll = poll => { if (poll == 2) { cancellation.Cancel(); } } };
        Staging(targets[2]).DefaultScript = CopyScript.Never;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Publish(targets.Select(lab => Item(lab)).ToList(), useReplicas: false, cancellationToken: cancellation.Token));

        Assert.Equal(DistributionStatus.Published, ResultOf("Lab1").Status);
        Assert.All(targets.Skip(1), lab =>
        {
            Assert.Contains(SourceId + ".vhd", Staging(lab).Aborts);
            Assert.DoesNotContain(labs.Created, created => created.Lab.Name == lab.Name);
        });
        Assert.Empty(sink.Errors);
        AssertCleanedUp(targets);
    }

    [Fact]
    public async Task Cancellation_in_replica_mode_ends_without_a_hang_and_leaves_nothing_behind()
    {
        var targets = Labs(6);
        using var cancellation = new CancellationTokenSource();
        var copiesSeen = 0;
        foreach (var lab in targets)
        {
            Staging(lab).DefaultScript = new CopyScript
            {
                PendingPolls = 1,
                OnPoll = poll =>
                {
                    if (Interlocked.Increment(ref copiesSeen) == 6)
                    {
                        cancellation.Cancel();
                    }
                },
            };
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Publish(targets.Select(lab => Item(lab)).ToList(), useReplicas: true, cancellationToken: cancellation.Token));

        Assert.Empty(sink.Errors);
        AssertCleanedUp(targets);
    }

    [Fact]
    public async Task Each_image_fans_out_on_its_own_and_a_store_that_cannot_be_opened_fails_only_its_items()
    {
        var targets = Labs(2);
        const string OtherId = "fedcba9876543210fedcba9876543210";
        var otherFactory = DistributionLabGateway.Lab("OtherFactory", "sub-f", "rg-o");
        var template = Item(targets[0]);
        var unreachable = new DistributionPlanItem
        {
            Action = DistributionAction.Copy,
            ImageName = "Other",
            ImagePath = "Other/Image.json",
            SourceId = OtherId,
            OsType = "Windows",
            SourceVhdUri = new Uri($"https://aotherfactory.blob.example.test/imagefactoryvhds/{OtherId}.vhd"),
            SourceStorageAccountId = otherFactory.ArtifactsStorageAccountId!,
            SourceLocation = "westeurope",
            TargetSubscriptionId = template.TargetSubscriptionId,
            TargetLabName = template.TargetLabName,
            TargetResourceGroupName = template.TargetResourceGroupName,
            TargetLabId = template.TargetLabId,
            TargetLocation = template.TargetLocation,
            TargetStorageAccountId = template.TargetStorageAccountId,
        };
        blobs.OpenFailures[otherFactory.ArtifactsStorageAccountId!] = new AzureRequestException(403, "AuthorizationFailed", "No key for you.", "POST", "/listKeys");

        var summary = await Publish([Item(targets[0]), Item(targets[1]), unreachable]);

        Assert.Equal(2, summary.Published);
        Assert.Equal(1, summary.Failed);
        var error = Assert.Single(sink.Errors);
        Assert.Same(unreachable, error.Target);
        Assert.Equal("AzureAccessDenied", error.ErrorId);
        Assert.Equal(DistributionStatus.Failed, Assert.Single(sink.Results<DistributionResult>(), result => result.ImageName == "Other").Status);
        AssertCleanedUp(targets);
    }
}
