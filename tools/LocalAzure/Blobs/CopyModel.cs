using System.Globalization;

namespace LocalAzure.Blobs;

/// <summary>A blob address inside the emulator: account, container and (decoded) blob name.</summary>
internal readonly record struct BlobAddress(string Account, string Container, string Blob)
{
    /// <summary>"/account/container/blob", the form fault rules and the request log use.</summary>
    public string Path => "/" + Account + "/" + Container + "/" + Blob;

    public override string ToString() => Path;
}

/// <summary>
/// The modelled state of asynchronous copies: a fluid model where each pending copy moves bytes at a rate given by
/// max-min fair sharing of its bottlenecks (the source page blob's read bandwidth, the source account's egress cap).
/// Time is modelled time; the model advances lazily to "now" on every query, so it needs no timer to be exact.
/// Thread-safe.
/// </summary>
internal sealed class CopyModel
{
    private const double BytesPerMiB = 1024d * 1024d;

    private readonly object gate = new();
    private readonly double pageBlobReadBytesPerSecond;
    private readonly double? accountEgressBytesPerSecond;
    private readonly List<CopyRecord> copies = [];
    private readonly Dictionary<string, CopyRecord> byId = new(StringComparer.Ordinal);
    private readonly Dictionary<BlobAddress, CopyRecord> currentByDestination = [];
    private DateTimeOffset lastUpdate;
    private bool ratesDirty = true;

    public CopyModel(double pageBlobReadMiBPerSecond, double? accountEgressMiBPerSecond, DateTimeOffset start)
    {
        if (pageBlobReadMiBPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pageBlobReadMiBPerSecond), "must be positive");
        }

        if (accountEgressMiBPerSecond is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(accountEgressMiBPerSecond), "must be positive or null");
        }

        pageBlobReadBytesPerSecond = pageBlobReadMiBPerSecond * BytesPerMiB;
        accountEgressBytesPerSecond = accountEgressMiBPerSecond * BytesPerMiB;
        lastUpdate = start;
    }

    /// <summary>Starts a copy at <paramref name="now"/>. <paramref name="failMidway"/> makes it stop at half with status failed.</summary>
    public CopyRecord Start(
        string copyId,
        BlobAddress source,
        BlobAddress destination,
        bool sourceIsPageBlob,
        long totalBytes,
        bool failMidway,
        string? sourceSignature,
        DateTimeOffset now,
        DateTimeOffset? sourceAccessExpiry = null)
    {
        lock (gate)
        {
            AdvanceLocked(now);
            var record = new CopyRecord(copyId, source, destination, sourceIsPageBlob, Math.Max(0, totalBytes), now)
            {
                FailAtBytes = failMidway ? Math.Max(0, totalBytes) / 2d : null,
                SourceSignature = sourceSignature,
                SourceAccessExpiry = sourceAccessExpiry,
            };
            copies.Add(record);
            byId[copyId] = record;
            currentByDestination[destination] = record;
            ratesDirty = true;
            // A copy with no bottleneck (or nothing to copy) completes at once.
            AdvanceLocked(now);
            return record;
        }
    }

    /// <summary>The copy that currently describes <paramref name="destination"/>'s copy properties, advanced to now.</summary>
    public CopySnapshotState? GetCurrent(BlobAddress destination, DateTimeOffset now)
    {
        lock (gate)
        {
            AdvanceLocked(now);
            return currentByDestination.TryGetValue(destination, out var record) ? record.Capture() : null;
        }
    }

    /// <summary>True when a pending copy targets <paramref name="destination"/>.</summary>
    public bool HasPending(BlobAddress destination, DateTimeOffset now)
    {
        lock (gate)
        {
            AdvanceLocked(now);
            return currentByDestination.TryGetValue(destination, out var record) && record.Status == BlobCopyState.Pending;
        }
    }

    /// <summary>The destination was overwritten or deleted: its copy properties no longer come from the model.</summary>
    public void Forget(BlobAddress destination, DateTimeOffset now)
    {
        lock (gate)
        {
            AdvanceLocked(now);
            if (currentByDestination.Remove(destination, out var record) && record.Status == BlobCopyState.Pending)
            {
                // Azure refuses to overwrite a blob with a pending copy; if it happens anyway (e.g. deleted), stop it.
                Finish(record, BlobCopyState.Aborted, now, "Destination blob was overwritten or deleted.");
            }
        }
    }

    /// <summary>Result of an abort attempt.</summary>
    public enum AbortResult
    {
        Aborted,
        NoPendingCopy,
        CopyIdMismatch,
    }

    public AbortResult Abort(BlobAddress destination, string copyId, DateTimeOffset now)
    {
        lock (gate)
        {
            AdvanceLocked(now);
            if (!currentByDestination.TryGetValue(destination, out var record))
            {
                return AbortResult.NoPendingCopy;
            }

            if (!string.Equals(record.Id, copyId, StringComparison.Ordinal))
            {
                return AbortResult.CopyIdMismatch;
            }

            if (record.Status != BlobCopyState.Pending)
            {
                return AbortResult.NoPendingCopy;
            }

            Finish(record, BlobCopyState.Aborted, now, null);
            return AbortResult.Aborted;
        }
    }

    /// <summary>Fails the pending copies reading <paramref name="source"/> through a SAS that <paramref name="isRevoked"/> says is revoked.</summary>
    public int FailCopiesWithRevokedSource(BlobAddress source, Func<string, bool> isRevoked, DateTimeOffset now)
    {
        lock (gate)
        {
            AdvanceLocked(now);
            var failed = 0;
            foreach (var record in copies)
            {
                if (record.Status == BlobCopyState.Pending && record.Source == source && record.SourceSignature is { } signature
                    && isRevoked(signature))
                {
                    Finish(record, BlobCopyState.Failed, now,
                        "403 AuthenticationFailed \"Copy failed: the source's shared access signature was revoked.\"");
                    failed++;
                }
            }

            return failed;
        }
    }

    public IReadOnlyList<BlobCopySnapshot> Snapshot(DateTimeOffset now)
    {
        lock (gate)
        {
            AdvanceLocked(now);
            return copies.Select(record => record.ToPublicSnapshot()).ToList();
        }
    }

    /// <summary>Copies that ended failed or aborted whose destination content has not yet been emptied.</summary>
    public IReadOnlyList<CopyRecord> TakeDestinationsToEmpty(DateTimeOffset now)
    {
        lock (gate)
        {
            AdvanceLocked(now);
            var result = new List<CopyRecord>();
            foreach (var record in copies)
            {
                if (record.Status is BlobCopyState.Failed or BlobCopyState.Aborted && !record.DestinationEmptied
                    && currentByDestination.TryGetValue(record.Destination, out var current) && ReferenceEquals(current, record))
                {
                    record.DestinationEmptied = true;
                    result.Add(record);
                }
            }

            return result;
        }
    }

    private void Finish(CopyRecord record, BlobCopyState status, DateTimeOffset at, string? description)
    {
        record.Status = status;
        record.EndTime = at;
        record.StatusDescription = description;
        record.Rate = 0;
        ratesDirty = true;
    }

    /// <summary>Moves the fluid model from <see cref="lastUpdate"/> to <paramref name="now"/>, finishing copies on the way.</summary>
    private void AdvanceLocked(DateTimeOffset now)
    {
        if (now < lastUpdate)
        {
            now = lastUpdate;
        }

        while (true)
        {
            if (ratesDirty)
            {
                ComputeRates();
                ratesDirty = false;
            }

            var pending = copies.Where(record => record.Status == BlobCopyState.Pending).ToList();
            if (pending.Count == 0)
            {
                lastUpdate = now;
                return;
            }

            var available = (now - lastUpdate).TotalSeconds;
            var firstFinish = double.PositiveInfinity;
            foreach (var record in pending)
            {
                firstFinish = Math.Min(firstFinish, record.SecondsToTarget());
                if (record.SourceAccessExpiry is { } expiry)
                {
                    firstFinish = Math.Min(firstFinish, Math.Max(0, (expiry - lastUpdate).TotalSeconds));
                }
            }

            if (firstFinish > available)
            {
                foreach (var record in pending)
                {
                    record.Copied = Math.Min(record.Target, record.Copied + (record.Rate * available));
                }

                lastUpdate = now;
                return;
            }

            var step = Math.Max(0, firstFinish);
            var at = lastUpdate + TimeSpan.FromSeconds(step);
            foreach (var record in pending)
            {
                var reaches = record.SecondsToTarget() <= step * (1 + 1e-12) + 1e-9;
                record.Copied = reaches ? record.Target : Math.Min(record.Target, record.Copied + (record.Rate * step));
                if (reaches)
                {
                    if (record.FailAtBytes is not null)
                    {
                        Finish(record, BlobCopyState.Failed, at,
                            "500 InternalError \"Copy failed while reading the source (injected fault).\"");
                    }
                    else
                    {
                        Finish(record, BlobCopyState.Success, at, null);
                    }
                }
                else if (record.SourceAccessExpiry is { } expiry && expiry <= at)
                {
                    // Azure reads the source with the SAS it was given for the whole copy: once it expires, the copy fails.
                    Finish(record, BlobCopyState.Failed, at,
                        "403 AuthenticationFailed \"Copy failed: the source's shared access signature expired.\"");
                }
            }

            lastUpdate = at;
        }
    }

    /// <summary>Max-min fair rates ("progressive filling") over the bottlenecks of the pending copies.</summary>
    private void ComputeRates()
    {
        var pending = copies.Where(record => record.Status == BlobCopyState.Pending).ToList();
        var capacity = new Dictionary<string, double>(StringComparer.Ordinal);
        var members = new Dictionary<string, List<CopyRecord>>(StringComparer.Ordinal);
        var unfrozen = new HashSet<CopyRecord>();
        foreach (var record in pending)
        {
            var keys = BottlenecksOf(record);
            record.Bottlenecks = keys;
            if (keys.Count == 0)
            {
                record.Rate = double.PositiveInfinity;
                continue;
            }

            unfrozen.Add(record);
            foreach (var (key, cap) in keys)
            {
                capacity[key] = cap;
                if (!members.TryGetValue(key, out var list))
                {
                    list = [];
                    members[key] = list;
                }

                list.Add(record);
            }
        }

        while (unfrozen.Count > 0)
        {
            string? tightest = null;
            var share = double.PositiveInfinity;
            foreach (var (key, list) in members)
            {
                var active = list.Count(unfrozen.Contains);
                if (active == 0)
                {
                    continue;
                }

                var candidate = Math.Max(0, capacity[key]) / active;
                if (candidate < share)
                {
                    share = candidate;
                    tightest = key;
                }
            }

            if (tightest is null)
            {
                break;
            }

            foreach (var record in members[tightest].Where(unfrozen.Contains).ToList())
            {
                record.Rate = share;
                unfrozen.Remove(record);
                foreach (var (key, _) in record.Bottlenecks)
                {
                    capacity[key] -= share;
                }
            }
        }
    }

    private List<(string Key, double Capacity)> BottlenecksOf(CopyRecord record)
    {
        var keys = new List<(string, double)>(2);
        if (record.SourceIsPageBlob)
        {
            keys.Add(("blob:" + record.Source.Path, pageBlobReadBytesPerSecond));
        }

        if (accountEgressBytesPerSecond is { } egress)
        {
            keys.Add(("account:" + record.Source.Account, egress));
        }

        return keys;
    }

    /// <summary>A copy's mutable model state; only touched under the model's lock.</summary>
    internal sealed class CopyRecord(
        string id, BlobAddress source, BlobAddress destination, bool sourceIsPageBlob, long totalBytes, DateTimeOffset start)
    {
        public string Id { get; } = id;

        public BlobAddress Source { get; } = source;

        public BlobAddress Destination { get; } = destination;

        public bool SourceIsPageBlob { get; } = sourceIsPageBlob;

        public long TotalBytes { get; } = totalBytes;

        public DateTimeOffset StartTime { get; } = start;

        public double? FailAtBytes { get; init; }

        public string? SourceSignature { get; init; }

        public DateTimeOffset? SourceAccessExpiry { get; init; }

        public double Target => FailAtBytes ?? TotalBytes;

        public double Copied { get; set; }

        public double Rate { get; set; }

        public BlobCopyState Status { get; set; } = BlobCopyState.Pending;

        public DateTimeOffset? EndTime { get; set; }

        public string? StatusDescription { get; set; }

        public bool DestinationEmptied { get; set; }

        public List<(string Key, double Capacity)> Bottlenecks { get; set; } = [];

        public double SecondsToTarget()
        {
            var remaining = Target - Copied;
            if (remaining <= 0 || double.IsPositiveInfinity(Rate))
            {
                return 0;
            }

            return Rate <= 0 ? double.PositiveInfinity : remaining / Rate;
        }

        public CopySnapshotState Capture() =>
            new(Id, Source, Status, (long)Math.Floor(Copied), TotalBytes, EndTime, StatusDescription);

        public BlobCopySnapshot ToPublicSnapshot() => new(
            Id,
            Source.Account,
            Source.Container,
            Source.Blob,
            Destination.Account,
            Destination.Container,
            Destination.Blob,
            Status,
            (long)Math.Floor(Copied),
            TotalBytes,
            StartTime,
            EndTime,
            StatusDescription,
            Status == BlobCopyState.Pending && !double.IsPositiveInfinity(Rate) ? Rate / BytesPerMiB : 0);
    }
}

/// <summary>An immutable view of one copy, for writing x-ms-copy-* headers.</summary>
internal sealed record CopySnapshotState(
    string Id,
    BlobAddress Source,
    BlobCopyState Status,
    long BytesCopied,
    long TotalBytes,
    DateTimeOffset? EndTime,
    string? StatusDescription)
{
    public string StatusText => Status switch
    {
        BlobCopyState.Pending => "pending",
        BlobCopyState.Success => "success",
        BlobCopyState.Failed => "failed",
        _ => "aborted",
    };

    public string Progress => string.Create(
        CultureInfo.InvariantCulture,
        $"{(Status == BlobCopyState.Success ? TotalBytes : BytesCopied)}/{TotalBytes}");
}
