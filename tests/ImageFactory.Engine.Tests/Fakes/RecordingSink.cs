using System.Collections.Concurrent;
using ImageFactory.Engine.Execution;

namespace ImageFactory.Engine.Tests.Fakes;

/// <summary>An <see cref="IEngineEventSink"/> that keeps every event, in order, from any thread.</summary>
internal sealed class RecordingSink : IEngineEventSink
{
    private readonly ConcurrentQueue<EngineEvent> events = new();

    /// <summary>Called on every post (on the posting thread), e.g. to cancel a run at a given moment.</summary>
    public Action<EngineEvent>? OnPost { get; set; }

    public IReadOnlyList<EngineEvent> Events => [.. events];

    public IReadOnlyList<T> Results<T>() => Events.OfType<ResultEvent>().Select(e => e.Result).OfType<T>().ToList();

    public IReadOnlyList<string> Warnings => Events.OfType<WarningEvent>().Select(e => e.Message).ToList();

    public IReadOnlyList<ItemErrorEvent> Errors => Events.OfType<ItemErrorEvent>().ToList();

    public IReadOnlyList<string> Verbose => Events.OfType<VerboseEvent>().Select(e => e.Message).ToList();

    public void Post(EngineEvent engineEvent)
    {
        ArgumentNullException.ThrowIfNull(engineEvent);
        events.Enqueue(engineEvent);
        OnPost?.Invoke(engineEvent);
    }
}
