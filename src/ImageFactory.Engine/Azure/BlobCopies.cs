namespace ImageFactory.Engine.Azure;

/// <summary>Waiting for a server-side blob copy: the one polling loop saving and distribution share.</summary>
internal static class BlobCopies
{
    /// <summary>
    /// Polls the copy into <paramref name="blobName"/> (just started) until it is no longer pending, passing each state
    /// to <paramref name="report"/>; returns the final state (Success, Failed, Aborted or None).
    /// </summary>
    internal static async Task<BlobCopyState> WaitAsync(
        IBlobContainerGateway destination, string blobName, Action<BlobCopyState> report, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var state = await destination.GetCopyStateAsync(blobName, cancellationToken).ConfigureAwait(false);
            report(state);
            if (state.Status != CopyStatusKind.Pending)
            {
                return state;
            }

            await Task.Delay(PollingInterval(time.GetElapsedTime(started), state.BytesCopied, state.TotalBytes), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls fast at first and slower as a long copy goes on.</summary>
    internal static TimeSpan PollingInterval(TimeSpan elapsed)
    {
        var interval = elapsed / 10;
        return Clamp(interval);
    }

    /// <summary>
    /// The next poll of a copy that has run <paramref name="sinceCopyStart"/> and reports <paramref name="copied"/> of
    /// <paramref name="total"/> bytes: half the time the remaining bytes need at the rate seen so far, so the end of
    /// the copy is noticed soon after it happens without polling a long copy often; before any progress is reported,
    /// the elapsed-time rule. Always between 200 ms and 15 s.
    /// </summary>
    internal static TimeSpan PollingInterval(TimeSpan sinceCopyStart, long copied, long total)
    {
        if (copied <= 0 || total <= copied || sinceCopyStart <= TimeSpan.Zero)
        {
            return PollingInterval(sinceCopyStart);
        }

        var remaining = TimeSpan.FromTicks((long)(sinceCopyStart.Ticks * ((double)(total - copied) / copied)));
        return Clamp(remaining / 2);
    }

    private static TimeSpan Clamp(TimeSpan interval) =>
        interval < TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200)
            : interval > TimeSpan.FromSeconds(15) ? TimeSpan.FromSeconds(15) : interval;
}
