namespace ImageFactory.Engine.Execution;

/// <summary>
/// What engine work reports back to the cmdlet. Workers run on thread-pool threads and must never call PowerShell;
/// they post these to an <see cref="IEngineEventSink"/> and the cmdlet writes them on the pipeline thread.
/// </summary>
public abstract record EngineEvent;

/// <summary>An output object, written as soon as its item finishes.</summary>
public sealed record ResultEvent(object Result) : EngineEvent;

/// <summary>A per-item failure: becomes a non-terminating ErrorRecord with this id, category and target.</summary>
public sealed record ItemErrorEvent(Exception Exception, string ErrorId, FailureCategory Category, object? Target) : EngineEvent;

public sealed record WarningEvent(string Message) : EngineEvent;

public sealed record VerboseEvent(string Message) : EngineEvent;

/// <summary>
/// Work that must run on the pipeline thread (for example asking the session's Az context for a fresh token). The
/// callback completes its own task, success or failure; the cmdlet runs it even while stopping.
/// </summary>
public sealed record HostCallbackEvent(Action Callback) : EngineEvent;

/// <summary>Progress of one activity; <see cref="ActivityId"/> 0 is the overall bar, items are its children.</summary>
public sealed record ProgressEvent(
    int ActivityId,
    int? ParentActivityId,
    string Activity,
    string Status,
    int PercentComplete,
    bool Completed) : EngineEvent;

/// <summary>The engine's own error categories, mapped one-to-one onto PowerShell's ErrorCategory by the cmdlets.</summary>
public enum FailureCategory
{
    NotSpecified,
    InvalidData,
    InvalidOperation,
    ObjectNotFound,
    PermissionDenied,
    ResourceUnavailable,
    ConnectionError,
    OperationStopped,
    OperationTimeout,
    InvalidResult,
    InvalidArgument,
    ResourceBusy,
    AuthenticationError,
}

/// <summary>Where workers post their events. Implementations are thread-safe.</summary>
public interface IEngineEventSink
{
    void Post(EngineEvent engineEvent);
}
