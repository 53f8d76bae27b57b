using System.Collections.Concurrent;
using System.Management.Automation;
using ImageFactory.Engine.Execution;

namespace ImageFactory.Internal;

/// <summary>
/// Runs engine work on the thread pool and writes what it reports on the pipeline thread: PowerShell's Write*
/// methods may only be called from the thread that runs the cmdlet. After Ctrl+C the pump keeps draining (without
/// writing) until the engine has finished its cleanup, so nothing is left behind in Azure.
/// </summary>
internal sealed class EngineEventPump(PSCmdlet cmdlet)
{
    private readonly bool inAzurePipelines = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TF_BUILD"));

    /// <summary>The sink of the run in progress (null between runs): how other threads reach the pipeline thread.</summary>
    internal IEngineEventSink? ActiveSink { get; private set; }

    internal void Run(Func<IEngineEventSink, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        using var queue = new BlockingCollection<EngineEvent>();
        var sink = new QueueSink(queue);
        ActiveSink = sink;
        try
        {
            Pump(queue, sink, work, cancellationToken);
        }
        finally
        {
            ActiveSink = null;
        }
    }

    private void Pump(BlockingCollection<EngineEvent> queue, QueueSink sink, Func<IEngineEventSink, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var engine = Task.Run(
            async () =>
            {
                try
                {
                    await work(sink, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    queue.CompleteAdding();
                }
            },
            CancellationToken.None);

        var stopped = false;
        foreach (var engineEvent in queue.GetConsumingEnumerable(CancellationToken.None))
        {
            if (engineEvent is HostCallbackEvent callback)
            {
                // Runs even while stopping: the callback completes the task an engine thread is waiting on.
                callback.Callback();
                continue;
            }

            if (stopped)
            {
                continue;
            }

            try
            {
                Write(engineEvent);
            }
            catch (PipelineStoppedException)
            {
                stopped = true;
            }
        }

        try
        {
            engine.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stopped = true;
        }

        if (stopped)
        {
            throw new PipelineStoppedException();
        }
    }

    private void Write(EngineEvent engineEvent)
    {
        switch (engineEvent)
        {
            case ResultEvent result:
                cmdlet.WriteObject(result.Result);
                break;
            case ItemErrorEvent error:
                LogIssue("error", error.Exception.Message);
                cmdlet.WriteError(new ErrorRecord(error.Exception, error.ErrorId, ErrorCategories.ToPowerShell(error.Category), error.Target));
                break;
            case WarningEvent warning:
                LogIssue("warning", warning.Message);
                cmdlet.WriteWarning(warning.Message);
                break;
            case VerboseEvent verbose:
                cmdlet.WriteVerbose(verbose.Message);
                break;
            case ProgressEvent progress:
                cmdlet.WriteProgress(new ProgressRecord(progress.ActivityId, progress.Activity, progress.Status)
                {
                    ParentActivityId = progress.ParentActivityId ?? -1,
                    PercentComplete = Math.Clamp(progress.PercentComplete, 0, 100),
                    RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                });
                break;
        }
    }

    /// <summary>Inside Azure Pipelines, errors and warnings also become task issues on the build summary.</summary>
    private void LogIssue(string type, string message)
    {
        if (inAzurePipelines)
        {
            cmdlet.Host.UI.WriteLine($"##vso[task.logissue type={type}]{AzurePipelines.Escape(message)}");
        }
    }

    private sealed class QueueSink(BlockingCollection<EngineEvent> queue) : IEngineEventSink
    {
        public void Post(EngineEvent engineEvent)
        {
            if (!queue.TryAdd(engineEvent) && engineEvent is HostCallbackEvent)
            {
                throw new InvalidOperationException("The command has finished; nothing runs on its pipeline thread any more.");
            }
        }
    }
}

internal static class AzurePipelines
{
    /// <summary>Logging-command escaping: a message must stay on one line.</summary>
    internal static string Escape(string message) =>
        message.Replace("%", "%AZP25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal)
            .Replace("]", "%5D", StringComparison.Ordinal)
            .Replace(";", "%3B", StringComparison.Ordinal);
}

internal static class ErrorCategories
{
    internal static ErrorCategory ToPowerShell(FailureCategory category) => category switch
    {
        FailureCategory.InvalidData => ErrorCategory.InvalidData,
        FailureCategory.InvalidOperation => ErrorCategory.InvalidOperation,
        FailureCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
        FailureCategory.PermissionDenied => ErrorCategory.PermissionDenied,
        FailureCategory.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        FailureCategory.ConnectionError => ErrorCategory.ConnectionError,
        FailureCategory.OperationStopped => ErrorCategory.OperationStopped,
        FailureCategory.OperationTimeout => ErrorCategory.OperationTimeout,
        FailureCategory.ResourceBusy => ErrorCategory.ResourceBusy,
        FailureCategory.AuthenticationError => ErrorCategory.AuthenticationError,
        FailureCategory.InvalidResult => ErrorCategory.InvalidResult,
        FailureCategory.InvalidArgument => ErrorCategory.InvalidArgument,
        _ => ErrorCategory.NotSpecified,
    };
}
