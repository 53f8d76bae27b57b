using System.Text.RegularExpressions;

namespace LocalAzure.Common;

/// <summary>
/// Modelled time. A time scale maps modelled durations (what Azure would take) to real ones (what we wait here),
/// e.g. one modelled minute = 50 real milliseconds. Every LRO duration, copy duration, token-bucket refill and
/// retry hint goes through this clock.
/// </summary>
public interface IModelClock
{
    /// <summary>Modelled "now" (UTC). Starts at the real time the emulator started and runs faster by the scale.</summary>
    DateTimeOffset UtcNow { get; }

    /// <summary>Real milliseconds per modelled second (e.g. 50 ms per modelled minute = 0.8333).</summary>
    double RealMillisecondsPerModelledSecond { get; }

    TimeSpan ToReal(TimeSpan modelled);

    TimeSpan ToModelled(TimeSpan real);

    /// <summary>Waits a modelled duration (really: its scaled real duration).</summary>
    Task DelayAsync(TimeSpan modelled, CancellationToken cancellationToken);
}

/// <summary>What an injected fault does to the request it matches.</summary>
public enum FaultKind
{
    /// <summary>429 with Retry-After (scaled hints in retry-after-ms / x-ms-retry-after-ms).</summary>
    TooManyRequests,
    InternalServerError,
    ServiceUnavailable,
    /// <summary>The connection is aborted without a response.</summary>
    ConnectionReset,
    /// <summary>The response is delayed by <see cref="FaultRule.Delay"/> (modelled).</summary>
    SlowResponse,
    /// <summary>A long-running operation that ends with status Failed.</summary>
    LongRunningOperationFailed,
    /// <summary>A blob copy that stops midway with x-ms-copy-status: failed.</summary>
    CopyFailedMidway,

    /// <summary>409 Conflict, as ARM answers an operation on a resource that another operation holds (not retried by clients).</summary>
    Conflict,
}

/// <summary>
/// A fault rule: which operation (e.g. "Microsoft.DevTestLab/labs/customimages/write", "Blob.StartCopy"), which
/// resource (a regex on the request path, case-insensitive), and when: on the nth matching call (1-based) or with
/// a seeded probability. A rule with neither fires on every matching call.
/// </summary>
public sealed record FaultRule(
    string Operation,
    string ResourcePattern,
    FaultKind Kind,
    int? NthCall = null,
    double? Probability = null,
    TimeSpan? Delay = null)
{
    public bool MatchesTarget(string operation, string resourcePath) =>
        (Operation == "*" || string.Equals(Operation, operation, StringComparison.OrdinalIgnoreCase))
        && Regex.IsMatch(resourcePath, ResourcePattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>Decides, per request, whether a fault fires. Thread-safe; counts calls per rule; seeded randomness.</summary>
public interface IFaultInjector
{
    /// <summary>The first rule that fires for this call, or null. Each call counts towards NthCall of matching rules.</summary>
    FaultRule? Evaluate(string operation, string resourcePath);
}

/// <summary>One request as the emulator saw it. Never holds a token, key or SAS signature.</summary>
public sealed record RequestLogEntry(
    DateTimeOffset Time,
    string Service,
    string Method,
    string Path,
    int Status,
    string? Principal,
    string? SubscriptionId,
    string? Operation,
    bool IsWrite);

/// <summary>The request log every front (token, ARM, blob) records into; tests and benchmarks read it.</summary>
public interface IRequestLog
{
    void Record(RequestLogEntry entry);

    IReadOnlyList<RequestLogEntry> Snapshot();
}
