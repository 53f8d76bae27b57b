using System.Diagnostics.CodeAnalysis;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ImageFactory.Engine.Tests.Fakes;

/// <summary>One request as the transport saw it.</summary>
internal sealed record RecordedRequest(string Method, Uri Uri, string? Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// An Azure.Core transport that answers scripted responses in order and records every request (Azure.Core's own
/// MockTransport is not public in the shipped package). Answering more requests than scripted fails the test.
/// </summary>
internal sealed class ScriptedTransport : HttpPipelineTransport
{
    private readonly object gate = new();
    private readonly Queue<Func<RecordedRequest, FakeResponse>> script = new();
    private readonly List<RecordedRequest> requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    public int Remaining
    {
        get
        {
            lock (gate)
            {
                return script.Count;
            }
        }
    }

    /// <summary>A pipeline over this transport with Azure.Core's standard policies, tiny retry delays, no logging.</summary>
    public HttpPipeline CreatePipeline(int maxRetries = 0)
    {
        var options = new TestClientOptions { Transport = this };
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(5);
        options.Diagnostics.IsLoggingEnabled = false;
        options.Diagnostics.IsDistributedTracingEnabled = false;
        options.Diagnostics.IsTelemetryEnabled = false;
        return HttpPipelineBuilder.Build(options);
    }

    public ScriptedTransport Then(Func<RecordedRequest, FakeResponse> responder)
    {
        lock (gate)
        {
            script.Enqueue(responder);
        }

        return this;
    }

    public ScriptedTransport Then(int status, string? json = null, params (string Name, string Value)[] headers) =>
        Then(_ => new FakeResponse(status, json, headers));

    public override Request CreateRequest() => new FakeRequest();

    public override void Process(HttpMessage message) => ProcessAsync(message).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.CancellationToken.ThrowIfCancellationRequested();
        var request = (FakeRequest)message.Request;
        var recorded = new RecordedRequest(
            request.Method.ToString(),
            request.Uri.ToUri(),
            request.ReadBody(),
            request.Headers.ToDictionary(header => header.Name, header => header.Value, StringComparer.OrdinalIgnoreCase));
        Func<RecordedRequest, FakeResponse> responder;
        lock (gate)
        {
            requests.Add(recorded);
            if (!script.TryDequeue(out responder!))
            {
                throw new InvalidOperationException($"Unscripted request {recorded.Method} {recorded.Uri}.");
            }
        }

        var response = responder(recorded);
        response.RequestId = request.ClientRequestId;
        message.Response = response;
        return ValueTask.CompletedTask;
    }

    private sealed class TestClientOptions : ClientOptions;

    private sealed class FakeRequest : Request
    {
        private readonly Dictionary<string, List<string>> headers = new(StringComparer.OrdinalIgnoreCase);

        public override string ClientRequestId { get; set; } = Guid.NewGuid().ToString();

        public string? ReadBody()
        {
            if (Content is null)
            {
                return null;
            }

            using var stream = new MemoryStream();
            Content.WriteTo(stream, CancellationToken.None);
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        public override void Dispose()
        {
        }

        protected override void AddHeader(string name, string value)
        {
            if (!headers.TryGetValue(name, out var values))
            {
                values = [];
                headers[name] = values;
            }

            values.Add(value);
        }

        protected override bool ContainsHeader(string name) => headers.ContainsKey(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() =>
            headers.Select(header => new HttpHeader(header.Key, string.Join(",", header.Value)));

        protected override bool RemoveHeader(string name) => headers.Remove(name);

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            value = headers.TryGetValue(name, out var values) ? string.Join(",", values) : null;
            return value is not null;
        }

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = headers.TryGetValue(name, out var list) ? list : null;
            return values is not null;
        }
    }
}

/// <summary>A scripted response: status, optional JSON (or any text) body, headers.</summary>
internal sealed class FakeResponse : Response
{
    private readonly Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase);

    public FakeResponse(int status, string? body = null, params (string Name, string Value)[] headers)
        : this(status, body is null ? null : Encoding.UTF8.GetBytes(body), headers)
    {
        if (body is not null && !this.headers.ContainsKey("Content-Type"))
        {
            this.headers["Content-Type"] = "application/json";
        }
    }

    public FakeResponse(int status, byte[]? body, params (string Name, string Value)[] headers)
    {
        Status = status;
        ContentStream = body is null ? null : new MemoryStream(body);
        foreach (var (name, value) in headers)
        {
            this.headers[name] = value;
        }

        this.headers["Content-Length"] = (body?.Length ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public override int Status { get; }

    public override string ReasonPhrase => Status switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        404 => "Not Found",
        409 => "Conflict",
        _ => "Status " + Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public override Stream? ContentStream { get; set; }

    public override string ClientRequestId { get; set; } = string.Empty;

    internal string RequestId
    {
        set => ClientRequestId = value;
    }

    public override void Dispose() => ContentStream?.Dispose();

    protected override bool ContainsHeader(string name) => headers.ContainsKey(name);

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(header => new HttpHeader(header.Key, header.Value));

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => headers.TryGetValue(name, out value);

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = headers.TryGetValue(name, out var value) ? [value] : null;
        return values is not null;
    }
}
