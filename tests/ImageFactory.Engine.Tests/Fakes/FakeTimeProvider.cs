namespace ImageFactory.Engine.Tests.Fakes;

/// <summary>
/// A clock that stands still at <see cref="Now"/> and whose timers fire after a millisecond whatever they were asked
/// for: polling loops run at full speed and deterministically (nothing depends on wall-clock time).
/// </summary>
internal sealed class FakeTimeProvider(DateTimeOffset now) : TimeProvider
{
    private int timers;

    public DateTimeOffset Now { get; set; } = now;

    /// <summary>How many timers (Task.Delay calls through this provider) were created.</summary>
    public int TimersCreated => Volatile.Read(ref timers);

    public override DateTimeOffset GetUtcNow() => Now;

    public override long GetTimestamp() => 0;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref timers);
        var shortDue = dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.FromMilliseconds(1);
        var shortPeriod = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? period : TimeSpan.FromMilliseconds(1);
        return System.CreateTimer(callback, state, shortDue, shortPeriod);
    }
}
