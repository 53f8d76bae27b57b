using System.Diagnostics;
using LocalAzure.Common;

namespace LocalAzure.Model;

/// <summary>
/// The production <see cref="IModelClock"/>: modelled time starts at the real time the emulator started and runs
/// faster (or slower) by a fixed scale, e.g. one modelled minute per 50 real milliseconds.
/// </summary>
public sealed class ModelClock : IModelClock
{
    private readonly DateTimeOffset _origin;
    private readonly Stopwatch _elapsed;

    /// <param name="realMillisecondsPerModelledMinute">Real milliseconds one modelled minute lasts (60000 = real time).</param>
    public ModelClock(double realMillisecondsPerModelledMinute)
        : this(realMillisecondsPerModelledMinute, DateTimeOffset.UtcNow)
    {
    }

    public ModelClock(double realMillisecondsPerModelledMinute, DateTimeOffset origin)
    {
        if (realMillisecondsPerModelledMinute <= 0 || double.IsNaN(realMillisecondsPerModelledMinute)
            || double.IsInfinity(realMillisecondsPerModelledMinute))
        {
            throw new ArgumentOutOfRangeException(nameof(realMillisecondsPerModelledMinute), "The time scale must be a positive number.");
        }

        RealMillisecondsPerModelledSecond = realMillisecondsPerModelledMinute / 60.0;
        _origin = origin;
        _elapsed = Stopwatch.StartNew();
    }

    public double RealMillisecondsPerModelledSecond { get; }

    public DateTimeOffset UtcNow => _origin + ToModelled(_elapsed.Elapsed);

    public TimeSpan ToReal(TimeSpan modelled) =>
        TimeSpan.FromMilliseconds(modelled.TotalSeconds * RealMillisecondsPerModelledSecond);

    public TimeSpan ToModelled(TimeSpan real) =>
        TimeSpan.FromSeconds(real.TotalMilliseconds / RealMillisecondsPerModelledSecond);

    public Task DelayAsync(TimeSpan modelled, CancellationToken cancellationToken)
    {
        var real = ToReal(modelled);
        return real <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(real, cancellationToken);
    }
}
