using System.Collections.Concurrent;
using System.Diagnostics;
using LocalAzure.Common;

namespace LocalAzure.Tests.Blobs;

/// <summary>A scaled clock for tests: modelled time runs <c>60000 / realMillisecondsPerModelledMinute</c> times faster.</summary>
public sealed class ScaledTestClock : IModelClock
{
    private readonly DateTimeOffset start = DateTimeOffset.UtcNow;
    private readonly Stopwatch stopwatch = Stopwatch.StartNew();

    public ScaledTestClock(double realMillisecondsPerModelledMinute)
    {
        RealMillisecondsPerModelledSecond = realMillisecondsPerModelledMinute / 60d;
    }

    public double RealMillisecondsPerModelledSecond { get; }

    public DateTimeOffset UtcNow => start + ToModelled(stopwatch.Elapsed);

    public TimeSpan ToReal(TimeSpan modelled) => TimeSpan.FromMilliseconds(modelled.TotalSeconds * RealMillisecondsPerModelledSecond);

    public TimeSpan ToModelled(TimeSpan real) => TimeSpan.FromSeconds(real.TotalMilliseconds / RealMillisecondsPerModelledSecond);

    public Task DelayAsync(TimeSpan modelled, CancellationToken cancellationToken) => Task.Delay(ToReal(modelled), cancellationToken);
}

/// <summary>A manual clock for pure model tests.</summary>
public sealed class ManualClock(DateTimeOffset start)
{
    public DateTimeOffset Now { get; private set; } = start;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>Rules added by tests; NthCall counted per rule; Probability ignored (tests use deterministic rules).</summary>
public sealed class TestFaultInjector : IFaultInjector
{
    private readonly object gate = new();
    private readonly List<(FaultRule Rule, int Calls)> rules = [];

    public void Add(FaultRule rule)
    {
        lock (gate)
        {
            rules.Add((rule, 0));
        }
    }

    public FaultRule? Evaluate(string operation, string resourcePath)
    {
        lock (gate)
        {
            FaultRule? fired = null;
            for (var i = 0; i < rules.Count; i++)
            {
                var (rule, calls) = rules[i];
                if (!rule.MatchesTarget(operation, resourcePath))
                {
                    continue;
                }

                calls++;
                rules[i] = (rule, calls);
                if (fired is null && (rule.NthCall is null || rule.NthCall == calls))
                {
                    fired = rule;
                }
            }

            return fired;
        }
    }
}

public sealed class TestRequestLog : IRequestLog
{
    private readonly ConcurrentQueue<RequestLogEntry> entries = new();

    public void Record(RequestLogEntry entry) => entries.Enqueue(entry);

    public IReadOnlyList<RequestLogEntry> Snapshot() => [.. entries];
}
