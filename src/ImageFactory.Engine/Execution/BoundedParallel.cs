namespace ImageFactory.Engine.Execution;

/// <summary>
/// Runs one asynchronous job per item with at most <c>maxConcurrency</c> at a time, in-process (no runspaces, no
/// processes: a job costs a task, not the 0.7-1.2 s and 120 MiB of a PowerShell background job).
/// </summary>
public static class BoundedParallel
{
    public const int MinimumConcurrency = 1;
    public const int MaximumConcurrency = 64;

    /// <summary>
    /// Runs <paramref name="job"/> for every item. A job's exception is the job's business (it reports a per-item
    /// error); an exception escaping a job other than cancellation is a bug and is rethrown after the others finish.
    /// Cancellation stops new jobs from starting and is passed to the running ones.
    /// </summary>
    public static async Task ForEachAsync<T>(
        IEnumerable<T> items,
        int maxConcurrency,
        Func<T, CancellationToken, Task> job,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, MinimumConcurrency);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxConcurrency, MaximumConcurrency);

        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = maxConcurrency,
            CancellationToken = cancellationToken,
        };
        await Parallel.ForEachAsync(items, options, async (item, token) => await job(item, token).ConfigureAwait(false))
            .ConfigureAwait(false);
    }
}
