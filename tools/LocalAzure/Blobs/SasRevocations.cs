using System.Collections.Concurrent;
using System.Globalization;

namespace LocalAzure.Blobs;

/// <summary>
/// Revoked SAS grants per blob (the model of a disk export's endGetAccess). A SAS is revoked for a blob when it was
/// issued before the blob's latest revocation: for signatures this service issued, by issue order; for others, by
/// their signed start time (<c>st</c>), and a SAS without <c>st</c> counts as issued before. Thread-safe.
/// </summary>
internal sealed class SasRevocations
{
    private readonly ConcurrentDictionary<string, long> issued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> modelledExpiries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<BlobAddress, (long Sequence, DateTimeOffset RealTime)> revoked = new();
    private long sequence;

    public void RecordIssued(string signature, DateTimeOffset modelledExpiry)
    {
        issued[signature] = Interlocked.Increment(ref sequence);
        modelledExpiries[signature] = modelledExpiry;
    }

    /// <summary>The exact modelled expiry of a SAS this service issued (its <c>se</c> is real time, rounded to seconds).</summary>
    public DateTimeOffset? ModelledExpiryOf(string signature) =>
        modelledExpiries.TryGetValue(signature, out var expiry) ? expiry : null;

    public void Revoke(BlobAddress blob) =>
        revoked[blob] = (Interlocked.Increment(ref sequence), DateTimeOffset.UtcNow);

    /// <summary>True if a SAS with <paramref name="signature"/> (and signed start <paramref name="signedStart"/>) is revoked for <paramref name="blob"/>.</summary>
    public bool IsRevoked(BlobAddress blob, string signature, string? signedStart)
    {
        if (!revoked.TryGetValue(blob, out var revocation))
        {
            return false;
        }

        if (issued.TryGetValue(signature, out var issuedAt))
        {
            return issuedAt < revocation.Sequence;
        }

        if (signedStart is not null && DateTimeOffset.TryParse(
                signedStart, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var start))
        {
            return start <= revocation.RealTime;
        }

        return true;
    }
}
