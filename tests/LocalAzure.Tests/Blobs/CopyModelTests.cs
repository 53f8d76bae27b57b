using LocalAzure.Blobs;

namespace LocalAzure.Tests.Blobs;

/// <summary>The bandwidth model alone, on a manual clock: exact and instant.</summary>
public sealed class CopyModelTests
{
    private const long GiB = 1024L * 1024 * 1024;
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly BlobAddress SourceA = new("acct1", "c", "a.vhd");
    private static readonly BlobAddress SourceB = new("acct1", "c", "b.vhd");

    private static BlobAddress Dest(string name) => new("acct2", "d", name);

    [Fact]
    public void One_copy_runs_at_the_page_blob_rate()
    {
        var model = new CopyModel(60, null, Start);
        model.Start("1", SourceA, Dest("x"), true, 60 * 1024L * 1024 * 100, false, null, Start);

        var half = model.GetCurrent(Dest("x"), Start.AddSeconds(50))!;
        Assert.Equal(BlobCopyState.Pending, half.Status);
        Assert.Equal(60 * 1024L * 1024 * 50, half.BytesCopied);

        var done = model.GetCurrent(Dest("x"), Start.AddSeconds(101))!;
        Assert.Equal(BlobCopyState.Success, done.Status);
        Assert.Equal(Start.AddSeconds(100), done.EndTime);
    }

    [Fact]
    public void Copies_of_one_source_share_it_and_speed_up_when_one_finishes()
    {
        var model = new CopyModel(60, null, Start);
        var mib = 1024L * 1024;
        model.Start("small", SourceA, Dest("s"), true, 60 * mib * 10, false, null, Start);
        model.Start("large", SourceA, Dest("l"), true, 60 * mib * 40, false, null, Start);

        // Both at 30 MiB/s; small (600 MiB) ends at 20 s having moved 600; large has 600 of 2400 then 60 MiB/s.
        var snapshots = model.Snapshot(Start.AddSeconds(1));
        Assert.All(snapshots, s => Assert.Equal(30, s.CurrentMiBPerSecond, 6));
        var small = model.Snapshot(Start.AddSeconds(25)).Single(s => s.CopyId == "small");
        Assert.Equal(Start.AddSeconds(20), small.EndTime);
        var large = model.Snapshot(Start.AddSeconds(60)).Single(s => s.CopyId == "large");
        Assert.Equal(BlobCopyState.Success, large.Status);
        Assert.Equal(20 + (1800d / 60), large.Duration!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void Different_sources_do_not_share_unless_the_account_egress_is_capped()
    {
        var free = new CopyModel(60, null, Start);
        free.Start("a", SourceA, Dest("a"), true, GiB, false, null, Start);
        free.Start("b", SourceB, Dest("b"), true, GiB, false, null, Start);
        Assert.All(free.Snapshot(Start), s => Assert.Equal(60, s.CurrentMiBPerSecond, 6));

        var capped = new CopyModel(60, 80, Start);
        capped.Start("a", SourceA, Dest("a"), true, GiB, false, null, Start);
        capped.Start("b", SourceB, Dest("b"), true, GiB, false, null, Start);
        capped.Start("a2", SourceA, Dest("a2"), true, GiB, false, null, Start);
        var rates = capped.Snapshot(Start).ToDictionary(s => s.CopyId, s => s.CurrentMiBPerSecond);
        // Egress 80 shared by three: 26.67 each (source A's 60 is not the bottleneck).
        Assert.Equal(80d / 3, rates["a"], 6);
        Assert.Equal(80d / 3, rates["b"], 6);
        Assert.Equal(80d / 3, rates["a2"], 6);
    }

    [Fact]
    public void Block_blob_copy_without_caps_completes_at_once()
    {
        var model = new CopyModel(60, null, Start);
        model.Start("1", SourceA, Dest("x"), false, GiB, false, null, Start);
        Assert.Equal(BlobCopyState.Success, model.GetCurrent(Dest("x"), Start)!.Status);
    }

    [Fact]
    public void Failing_copy_stops_at_half_and_abort_releases_bandwidth()
    {
        var model = new CopyModel(60, null, Start);
        var mib = 1024L * 1024;
        model.Start("fail", SourceA, Dest("f"), true, 60 * mib * 100, true, null, Start);
        var failed = model.Snapshot(Start.AddSeconds(51)).Single();
        Assert.Equal(BlobCopyState.Failed, failed.Status);
        Assert.Equal(Start.AddSeconds(50), failed.EndTime);
        Assert.Equal(60 * mib * 50, failed.BytesCopied);
        Assert.Single(model.TakeDestinationsToEmpty(Start.AddSeconds(51)));
        Assert.Empty(model.TakeDestinationsToEmpty(Start.AddSeconds(51)));

        var now = Start.AddSeconds(60);
        model.Start("x", SourceB, Dest("x"), true, 60 * mib * 100, false, null, now);
        model.Start("y", SourceB, Dest("y"), true, 60 * mib * 100, false, null, now);
        Assert.Equal(CopyModel.AbortResult.CopyIdMismatch, model.Abort(Dest("x"), "y", now));
        Assert.Equal(CopyModel.AbortResult.Aborted, model.Abort(Dest("x"), "x", now.AddSeconds(10)));
        Assert.Equal(CopyModel.AbortResult.NoPendingCopy, model.Abort(Dest("x"), "x", now.AddSeconds(10)));
        var y = model.Snapshot(now.AddSeconds(11)).Single(s => s.CopyId == "y");
        Assert.Equal(60, y.CurrentMiBPerSecond, 6);
        Assert.Equal((30 * mib * 10) + (60 * mib * 1), y.BytesCopied);
    }
}
