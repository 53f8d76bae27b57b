using System.Collections.Concurrent;
using ImageFactory.Engine.Execution;

namespace ImageFactory.Engine.Tests.Execution;

public sealed class BoundedParallelTests
{
    /// <summary>Guards against a hang turning into a stuck test run; never an assertion about speed.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static Task Run<T>(IEnumerable<T> items, int max, Func<T, CancellationToken, Task> job, CancellationToken cancellationToken = default) =>
        BoundedParallel.ForEachAsync(items, max, job, cancellationToken).WaitAsync(HangGuard, CancellationToken.None);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task At_most_the_bound_run_at_once_and_the_bound_is_reached(int max)
    {
        const int count = 20;
        var current = 0;
        var highest = 0;
        var started = 0;
        var done = new ConcurrentBag<int>();

        await Run(Enumerable.Range(0, count), max, async (item, token) =>
        {
            var now = Interlocked.Increment(ref current);
            Interlocked.Increment(ref started);
            InterlockedMax(ref highest, now);

            // Hold on until the bound has been reached once (or nothing else can start).
            while (Volatile.Read(ref highest) < max && Volatile.Read(ref started) < count)
            {
                await Task.Delay(1, token);
            }

            Interlocked.Decrement(ref current);
            done.Add(item);
        });

        Assert.Equal(max, highest);
        Assert.Equal(Enumerable.Range(0, count), done.Order());
    }

    [Fact]
    public async Task Cancellation_stops_new_jobs_reaches_the_running_ones_and_throws_after_their_cleanup()
    {
        using var cancellation = new CancellationTokenSource();
        var started = new ConcurrentBag<int>();
        var cleanedUp = new ConcurrentBag<int>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Enumerable.Range(0, 10), 2, async (item, token) =>
        {
            started.Add(item);
            if (item == 3)
            {
                await cancellation.CancelAsync();
            }

            try
            {
                if (item >= 2)
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
            }
            finally
            {
                await Task.Yield();
                cleanedUp.Add(item);
            }
        }, cancellation.Token));

        Assert.Equal([0, 1, 2, 3], started.Order());
        Assert.Equal([0, 1, 2, 3], cleanedUp.Order());
    }

    [Fact]
    public async Task An_already_cancelled_run_starts_nothing()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        var started = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Enumerable.Range(0, 5), 2, (_, _) =>
        {
            Interlocked.Increment(ref started);
            return Task.CompletedTask;
        }, cancellation.Token));

        Assert.Equal(0, started);
    }

    [Fact]
    public async Task A_failing_job_neither_cancels_the_others_nor_stops_the_rest_and_is_rethrown_at_the_end()
    {
        var finished = new ConcurrentBag<int>();
        var cancelledSeen = 0;
        var failed = new TaskCompletionSource();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Run(Enumerable.Range(0, 6), 2, async (item, token) =>
        {
            if (item == 0)
            {
                failed.SetResult();
                throw new InvalidOperationException("bug in job 0");
            }

            // Every other job runs after job 0 failed and sees an uncancelled token.
            await failed.Task;
            await Task.Yield();
            if (token.IsCancellationRequested)
            {
                Interlocked.Increment(ref cancelledSeen);
            }

            finished.Add(item);
        }));

        Assert.Equal("bug in job 0", error.Message);
        Assert.Equal(0, cancelledSeen);
        Assert.Equal([1, 2, 3, 4, 5], finished.Order());
    }

    [Fact]
    public async Task Several_failures_are_all_reported()
    {
        var error = await Assert.ThrowsAsync<AggregateException>(() => Run(Enumerable.Range(0, 4), 4, (item, _) =>
            item % 2 == 0 ? Task.FromException(new InvalidOperationException($"job {item}")) : Task.CompletedTask));

        Assert.Equal(["job 0", "job 2"], error.InnerExceptions.Select(e => e.Message).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_jobs_own_timeout_is_a_failure_not_a_cancellation_of_the_run()
    {
        var finished = 0;

        await Assert.ThrowsAsync<TaskCanceledException>(() => Run(Enumerable.Range(0, 3), 1, (item, _) =>
        {
            if (item == 0)
            {
                throw new TaskCanceledException("HTTP timeout");
            }

            Interlocked.Increment(ref finished);
            return Task.CompletedTask;
        }));

        Assert.Equal(2, finished);
    }

    [Fact]
    public async Task A_job_that_blocks_before_its_first_await_does_not_hold_up_the_others()
    {
        using var release = new ManualResetEventSlim();
        var others = 0;

        await Run(Enumerable.Range(0, 3), 3, (item, _) =>
        {
            if (item == 0)
            {
                // Blocks its thread until both others have run.
                release.Wait(HangGuard, CancellationToken.None);
                return Task.CompletedTask;
            }

            if (Interlocked.Increment(ref others) == 2)
            {
                release.Set();
            }

            return Task.CompletedTask;
        });

        Assert.Equal(2, others);
    }

    [Fact]
    public async Task No_items_is_fine()
    {
        await Run(Array.Empty<int>(), 4, (_, _) => throw new InvalidOperationException("never"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65)]
    public async Task The_bound_must_be_between_1_and_64(int max)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => BoundedParallel.ForEachAsync([1], max, (_, _) => Task.CompletedTask, CancellationToken.None));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

public sealed class FailureClassifierTests
{
    public static TheoryData<Exception, string, FailureCategory> Cases => new()
    {
        { new ImageFactory.Engine.Azure.AzureRequestException(403, "AuthorizationFailed", "m", "GET", "/x"), "AzureAccessDenied", FailureCategory.PermissionDenied },
        { new ImageFactory.Engine.Azure.AzureRequestException(404, "NotFound", "m", "GET", "/x"), "AzureResourceNotFound", FailureCategory.ObjectNotFound },
        { new ImageFactory.Engine.Azure.AzureRequestException(0, "InvalidStorageAccountForLab", "m", "LRO", "/x"), "AzureOperationFailed", FailureCategory.InvalidOperation },
        { new ImageFactory.Engine.Azure.AzureRequestException(500, "InternalError", "m", "GET", "/x"), "AzureRequestFailed", FailureCategory.ConnectionError },
        { new global::Azure.RequestFailedException(403, "denied"), "StorageAccessDenied", FailureCategory.PermissionDenied },
        { new global::Azure.RequestFailedException(503, "busy"), "StorageRequestFailed", FailureCategory.ConnectionError },
        { new ImageFactory.Engine.Vhds.VhdCopyException("ended Failed"), "VhdCopyFailed", FailureCategory.InvalidResult },
        { new HttpRequestException("unreachable"), "AzureUnreachable", FailureCategory.ConnectionError },
        { new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout"), "OperationTimedOut", FailureCategory.OperationTimeout },
        { new InvalidOperationException("bug"), "UnexpectedFailure", FailureCategory.NotSpecified },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exceptions_map_to_precise_ids_and_categories(Exception exception, string errorId, FailureCategory category)
    {
        Assert.Equal((errorId, category), FailureClassifier.Classify(exception));
    }
}
