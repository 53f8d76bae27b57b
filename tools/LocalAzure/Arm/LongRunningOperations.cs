using System.Globalization;
using System.Text.Json.Nodes;
using LocalAzure.Common;

namespace LocalAzure.Arm;

internal enum OperationStatus
{
    InProgress,
    Succeeded,
    Failed,
}

/// <summary>
/// One long-running operation. Its effect on the world runs when it completes (in modelled time), under the world
/// lock, the first time anything looks at the world after its due time.
/// </summary>
internal sealed class LongRunningOperation
{
    public required string Id { get; init; }

    public required string Namespace { get; init; }

    public required string SubscriptionId { get; init; }

    public required string Location { get; init; }

    /// <summary>The ARM action that started it, e.g. Microsoft.Compute/disks/beginGetAccess/action.</summary>
    public required string Operation { get; init; }

    public required string ResourceId { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public required DateTimeOffset DueTime { get; init; }

    /// <summary>Runs on success; returns the result body served by the Location URL (null = no body).</summary>
    public Func<JsonNode?>? OnSuccess { get; init; }

    /// <summary>Runs when the operation fails (e.g. the resource ends in provisioningState Failed).</summary>
    public Action? OnFailure { get; init; }

    /// <summary>Set when an injected LongRunningOperationFailed fault fired for the starting request.</summary>
    public bool WillFail { get; init; }

    public OperationStatus Status { get; set; }

    public DateTimeOffset? EndTime { get; set; }

    public JsonNode? Result { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }
}

/// <summary>All long-running operations, by id. Call <see cref="Advance"/> while holding the world lock.</summary>
internal sealed class LongRunningOperations(IModelClock clock)
{
    private readonly Dictionary<string, LongRunningOperation> _operations = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<LongRunningOperation> _pending = [];

    public IModelClock Clock { get; } = clock;

    public LongRunningOperation Start(
        string @namespace, string subscriptionId, string location, string operation, string resourceId, TimeSpan modelledDuration,
        Func<JsonNode?>? onSuccess, Action? onFailure, bool willFail)
    {
        var now = Clock.UtcNow;
        var op = new LongRunningOperation
        {
            Id = Guid.NewGuid().ToString(),
            Namespace = @namespace,
            SubscriptionId = subscriptionId,
            Location = location.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant(),
            Operation = operation,
            ResourceId = resourceId,
            StartTime = now,
            DueTime = now + modelledDuration,
            OnSuccess = onSuccess,
            OnFailure = onFailure,
            WillFail = willFail,
        };
        _operations[op.Id] = op;
        _pending.Add(op);
        return op;
    }

    public LongRunningOperation? Find(string id) => _operations.GetValueOrDefault(id);

    public IReadOnlyList<LongRunningOperation> All => [.. _operations.Values.OrderBy(o => o.StartTime)];

    /// <summary>Completes every operation whose modelled due time has passed.</summary>
    public void Advance()
    {
        var now = Clock.UtcNow;
        if (_pending.Count == 0)
        {
            return;
        }

        var due = _pending.Where(o => o.DueTime <= now).OrderBy(o => o.DueTime).ToList();
        foreach (var op in due)
        {
            _pending.Remove(op);
            op.EndTime = op.DueTime;
            if (op.WillFail)
            {
                op.Status = OperationStatus.Failed;
                op.ErrorCode = "InternalOperationError";
                op.ErrorMessage = $"The long-running operation '{op.Operation}' on '{op.ResourceId}' failed (injected fault LongRunningOperationFailed).";
                op.OnFailure?.Invoke();
                continue;
            }

            try
            {
                op.Result = op.OnSuccess?.Invoke();
                op.Status = OperationStatus.Succeeded;
            }
            catch (ArmException e)
            {
                op.Status = OperationStatus.Failed;
                op.ErrorCode = e.Code;
                op.ErrorMessage = e.Message;
                op.OnFailure?.Invoke();
            }
        }
    }

    /// <summary>
    /// Retry hints for a modelled wait: retry-after-ms and x-ms-retry-after-ms (scaled milliseconds, read first by
    /// Azure.Core) and Retry-After (whole seconds, at least 1).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> RetryHints(IModelClock clock, TimeSpan modelledWait)
    {
        var real = clock.ToReal(modelledWait);
        var ms = Math.Max(1, (long)Math.Ceiling(real.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        yield return new("retry-after-ms", ms);
        yield return new("x-ms-retry-after-ms", ms);
        yield return new("Retry-After", Math.Max(1, (long)Math.Ceiling(real.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
    }
}
