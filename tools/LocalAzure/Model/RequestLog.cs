using LocalAzure.Common;

namespace LocalAzure.Model;

/// <summary>The production <see cref="IRequestLog"/>: an append-only, thread-safe list.</summary>
public sealed class RequestLog : IRequestLog
{
    private readonly Lock _sync = new();
    private readonly List<RequestLogEntry> _entries = [];

    public void Record(RequestLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_sync)
        {
            _entries.Add(entry);
        }
    }

    public IReadOnlyList<RequestLogEntry> Snapshot()
    {
        lock (_sync)
        {
            return [.. _entries];
        }
    }

    public void Clear()
    {
        lock (_sync)
        {
            _entries.Clear();
        }
    }
}
