using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Execution;

namespace ImageFactory.Engine.Retention;

/// <summary>
/// Deletes the approved decisions of a retention plan, at most <c>maxConcurrency</c> at a time, and reports each as it
/// finishes: a <see cref="ImageRetentionResult"/> (Deleted or Failed) and, for a failure, a per-item error with the
/// failed result as its target. One failure never stops the others.
/// </summary>
public sealed class RetentionExecutor(ILabGateway labs)
{
    private const int ProgressActivity = 0;

    public async Task DeleteAsync(
        IReadOnlyList<RetentionDecision> approved,
        IBlobContainerGateway? store,
        int maxConcurrency,
        IEngineEventSink sink,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approved);
        ArgumentNullException.ThrowIfNull(sink);

        // The plan has each image once already; a caller passing one twice must still not delete it twice.
        var work = approved
            .Where(decision => decision.Kind == RetentionDecisionKind.Delete)
            .DistinctBy(decision => decision.Id, StringComparer.OrdinalIgnoreCase)
            .ToList();
        await DeleteWithProgressAsync(
            work, maxConcurrency, "Removing stale images", sink, (decision, token) => DeleteOneAsync(decision, store, sink, token), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="deleteOne"/> over <paramref name="work"/>, at most <paramref name="maxConcurrency"/> at a
    /// time, with one progress record counting the finished ones (closed whatever happens). Nothing for no work.
    /// </summary>
    internal static async Task DeleteWithProgressAsync<T>(
        IReadOnlyList<T> work,
        int maxConcurrency,
        string activity,
        IEngineEventSink sink,
        Func<T, CancellationToken, Task> deleteOne,
        CancellationToken cancellationToken)
    {
        if (work.Count == 0)
        {
            return;
        }

        var done = 0;
        try
        {
            await BoundedParallel.ForEachAsync(
                work,
                maxConcurrency,
                async (item, token) =>
                {
                    await deleteOne(item, token).ConfigureAwait(false);
                    var finished = Interlocked.Increment(ref done);
                    sink.Post(new ProgressEvent(ProgressActivity, null, activity, $"{finished} of {work.Count} done", finished * 100 / work.Count, Completed: false));
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            sink.Post(new ProgressEvent(ProgressActivity, null, activity, "Done", 100, Completed: true));
        }
    }

    private async Task DeleteOneAsync(RetentionDecision decision, IBlobContainerGateway? store, IEngineEventSink sink, CancellationToken cancellationToken)
    {
        try
        {
            string? note = null;
            if (decision.Location == RetentionLocation.Lab)
            {
                if (!await labs.DeleteCustomImageAsync(decision.Id, cancellationToken).ConfigureAwait(false))
                {
                    note = "it was already gone";
                }
            }
            else
            {
                if (store is null)
                {
                    throw new InvalidOperationException("The factory store is not open.");
                }

                // The record goes first: a pair deleted half-way must never look like a valid saved image. A VHD left
                // without its record is an orphan, which a later run removes once the grace period has passed.
                if (decision.RecordBlobName is not null)
                {
                    await store.DeleteIfExistsAsync(decision.RecordBlobName, cancellationToken).ConfigureAwait(false);
                }

                if (decision.VhdBlobName is not null)
                {
                    await store.DeleteIfExistsAsync(decision.VhdBlobName, cancellationToken).ConfigureAwait(false);
                }
            }

            sink.Post(new VerboseEvent($"Deleted {decision.Describe()}: {decision.Details}{(note is null ? string.Empty : $" ({note})")}."));
            sink.Post(new ResultEvent(decision.ToResult(RetentionAction.Deleted, note is null ? null : $"{decision.Details} ({note})")));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var (errorId, category) = FailureClassifier.Classify(exception);
            var failed = decision.ToResult(RetentionAction.Failed, exception.Message);
            sink.Post(new ItemErrorEvent(
                new RetentionException($"Deleting {decision.Describe()} failed: {exception.Message}", exception),
                errorId,
                category,
                failed));
            sink.Post(new ResultEvent(failed));
        }
    }
}
