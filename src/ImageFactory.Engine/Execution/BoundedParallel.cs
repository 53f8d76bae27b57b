using System.Runtime.ExceptionServices;

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
    /// error); an exception escaping a job other than cancellation is a bug and is rethrown after the others finish
    /// (it neither cancels the running jobs nor keeps the remaining items from running).
    /// Cancellation stops new jobs from starting and is passed to the running ones; once they have finished (their
    /// cleanup included), <see cref="OperationCanceledException"/> is thrown.
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

        // Parallel.ForEachAsync is not used: its first failing job cancels every other running job (an unrelated
        // VHD copy would be aborted) and keeps the remaining items from starting.
        using var slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        var running = new List<Task>();
        ExceptionDispatchInfo? enumerationFailure = null;
        try
        {
            foreach (var item in items)
            {
                try
                {
                    await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    // A slot freed by a job ending because of the cancellation: no new job starts.
                    slots.Release();
                    break;
                }

                running.Add(RunAsync(item));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            enumerationFailure = ExceptionDispatchInfo.Capture(exception);
        }

        // Every job runs to its end (cleanup included) before anything is thrown; failures are examined task by task.
        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        enumerationFailure?.Throw();
        var failures = running
            .Where(task => !task.IsCompletedSuccessfully)
            .SelectMany(Failures)
            .Where(exception => exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            .ToList();
        if (failures.Count == 1)
        {
            ExceptionDispatchInfo.Capture(failures[0]).Throw();
        }

        if (failures.Count > 1)
        {
            throw new AggregateException(failures);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // A cancelled task carries no exception object: its own (a job's HTTP timeout, say) is read through its awaiter.
        static IEnumerable<Exception> Failures(Task task)
        {
            if (task.Exception is { } aggregate)
            {
                return aggregate.InnerExceptions;
            }

            try
            {
                task.GetAwaiter().GetResult();
                return [];
            }
            catch (Exception exception)
            {
                return [exception];
            }
        }

        async Task RunAsync(T item)
        {
            try
            {
                // Off the caller's thread: a job that blocks before its first await must not hold up the others.
                await Task.Run(() => job(item, cancellationToken), CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }
    }
}
