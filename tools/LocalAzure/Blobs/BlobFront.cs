using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Azure.Storage.Blobs.Models;
using LocalAzure.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace LocalAzure.Blobs;

/// <summary>
/// The blob front: a reverse proxy in front of Azurite that forwards requests unchanged (so shared-key signatures and
/// SAS stay valid: they sign /account/container/blob, not the host) and models what Azurite does not: asynchronous
/// copies with modelled progress and bandwidth, abort, copies failing midway, faults, SAS revocation and the request log.
/// </summary>
internal sealed class BlobFront : IDisposable
{
    private static readonly HashSet<string> HopByHopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Connection",
        "Proxy-Authorization", "Proxy-Authenticate", "Expect",
    };

    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Content-Type", "Content-MD5", "Content-Encoding", "Content-Language", "Content-Disposition",
        "Content-Range", "Content-Location", "Expires", "Last-Modified", "Allow",
    };

    private static readonly string[] CopyHeaders =
    [
        "x-ms-copy-id", "x-ms-copy-status", "x-ms-copy-progress", "x-ms-copy-source", "x-ms-copy-completion-time",
        "x-ms-copy-status-description",
    ];

    private readonly IModelClock clock;
    private readonly IFaultInjector faults;
    private readonly IRequestLog requestLog;
    private readonly CopyModel model;
    private readonly SasRevocations revocations;
    private readonly ConcurrentDictionary<BlobAddress, long> modelledSizes;
    private readonly AzuriteHost azurite;
    private readonly AzuriteClients clients;
    private readonly SemaphoreSlim settleGate = new(1, 1);

    public BlobFront(
        IModelClock clock,
        IFaultInjector faults,
        IRequestLog requestLog,
        CopyModel model,
        SasRevocations revocations,
        ConcurrentDictionary<BlobAddress, long> modelledSizes,
        AzuriteHost azurite,
        AzuriteClients clients)
    {
        this.clock = clock;
        this.faults = faults;
        this.requestLog = requestLog;
        this.model = model;
        this.revocations = revocations;
        this.modelledSizes = modelledSizes;
        this.azurite = azurite;
        this.clients = clients;
    }

    /// <summary>"127.0.0.1:port" of the front; set once Kestrel listens.</summary>
    public string FrontAuthority { get; init; } = string.Empty;

    public int FrontPort { get; init; }

    /// <summary>Whether a pending copy fails when its source SAS expires (modelled time).</summary>
    public bool FailCopyWhenSourceSasExpires { get; init; } = true;

    public void Dispose() => settleGate.Dispose();

    /// <summary>Empties the destinations of copies that ended failed or aborted (as Azure leaves them).</summary>
    public async Task SettleAsync(CancellationToken cancellationToken)
    {
        await settleGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var record in model.TakeDestinationsToEmpty(clock.UtcNow))
            {
                await clients.EmptyBlobAsync(record.Destination, cancellationToken).ConfigureAwait(false);
                modelledSizes[record.Destination] = 0;
            }
        }
        finally
        {
            settleGate.Release();
        }
    }

    public async Task HandleAsync(HttpContext context)
    {
        var time = clock.UtcNow;
        var target = RequestTarget.From(context);
        var internalValidation = IsAzuriteValidation(context.Request);
        var operation = internalValidation ? "ValidateCopySource" : Classify(context.Request, target);
        var status = 0;
        try
        {
            status = await ProcessAsync(context, target, operation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            status = 0;
        }
        catch (Exception exception) when (exception is HttpRequestException or Azure.RequestFailedException or IOException)
        {
            // Azurite unreachable or reset: answer as Storage would on an internal failure.
            if (!context.Response.HasStarted)
            {
                await StorageErrors.WriteAsync(
                    context, 500, "InternalError", "The server encountered an internal error (" + exception.GetType().Name + ").")
                    .ConfigureAwait(false);
            }

            status = 500;
        }
        finally
        {
            requestLog.Record(new RequestLogEntry(
                time,
                "blob",
                context.Request.Method,
                target.DecodedPath,
                status,
                PrincipalOf(context, target),
                null,
                "Blob." + operation,
                !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)));
        }
    }

    /// <summary>Operation names used for fault rules ("Blob." + name) and the request log.</summary>
    internal static string Classify(HttpRequest request, RequestTarget target)
    {
        var method = request.Method;
        var comp = request.Query["comp"].ToString().ToLowerInvariant();
        var isContainer = string.Equals(request.Query["restype"].ToString(), "container", StringComparison.OrdinalIgnoreCase);
        if (target.Container is null)
        {
            if (string.Equals(request.Query["restype"].ToString(), "account", StringComparison.OrdinalIgnoreCase))
            {
                return "GetAccountInfo";
            }

            return comp switch
            {
                "list" => "ListContainers",
                "properties" => HttpMethods.IsPut(method) ? "SetServiceProperties" : "GetServiceProperties",
                "userdelegationkey" => "GetUserDelegationKey",
                "stats" => "GetServiceStats",
                "batch" => "Batch",
                _ => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? "GetAccountInfo" : "Account",
            };
        }

        if (target.Blob is null || isContainer)
        {
            return (method.ToUpperInvariant(), comp) switch
            {
                ("PUT", "") => "CreateContainer",
                ("DELETE", "") => "DeleteContainer",
                ("GET" or "HEAD", "") => "GetContainerProperties",
                ("GET", "list") => "ListBlobs",
                ("PUT", "acl") => "SetContainerAcl",
                ("GET" or "HEAD", "acl") => "GetContainerAcl",
                ("PUT", "metadata") => "SetContainerMetadata",
                ("GET" or "HEAD", "metadata") => "GetContainerMetadata",
                ("PUT", "lease") => "LeaseContainer",
                _ => "Container",
            };
        }

        var headers = request.Headers;
        var hasCopySource = headers.ContainsKey("x-ms-copy-source");
        return (method.ToUpperInvariant(), comp) switch
        {
            ("GET", "") => "GetBlob",
            ("HEAD", "") => "GetBlobProperties",
            ("DELETE", "") => "DeleteBlob",
            ("PUT", "") when hasCopySource && headers.ContainsKey("x-ms-blob-type") => "PutBlobFromUrl",
            ("PUT", "") when hasCopySource && headers.ContainsKey("x-ms-requires-sync") => "CopyFromUrl",
            ("PUT", "") when hasCopySource => "StartCopy",
            ("PUT", "") => "PutBlob",
            ("PUT", "copy") => "AbortCopy",
            ("PUT", "page") => hasCopySource ? "PutPageFromUrl" : "PutPage",
            ("PUT", "block") => hasCopySource ? "PutBlockFromUrl" : "PutBlock",
            ("PUT", "blocklist") => "PutBlockList",
            ("GET", "blocklist") => "GetBlockList",
            ("GET", "pagelist") => "GetPageRanges",
            ("PUT", "appendblock") => "AppendBlock",
            ("PUT", "metadata") => "SetBlobMetadata",
            ("GET" or "HEAD", "metadata") => "GetBlobMetadata",
            ("PUT", "properties") => "SetBlobProperties",
            ("PUT", "lease") => "LeaseBlob",
            ("PUT", "snapshot") => "SnapshotBlob",
            ("PUT", "tier") => "SetBlobTier",
            ("PUT", "tags") => "SetBlobTags",
            ("GET", "tags") => "GetBlobTags",
            _ => "Blob",
        };
    }

    /// <summary>Azurite validates a cross-account or SAS copy source with its own HEAD/GET (axios) to the source URL.</summary>
    private static bool IsAzuriteValidation(HttpRequest request) =>
        request.Headers.UserAgent.ToString().StartsWith("axios/", StringComparison.OrdinalIgnoreCase);

    private static string PrincipalOf(HttpContext context, RequestTarget target)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("SharedKey", StringComparison.OrdinalIgnoreCase))
        {
            return "SharedKey:" + target.Account;
        }

        if (authorization.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return "Bearer";
        }

        return context.Request.Query.ContainsKey("sig") ? "SAS:" + target.Account : "Anonymous";
    }

    private async Task<int> ProcessAsync(HttpContext context, RequestTarget target, string operation)
    {
        var cancellationToken = context.RequestAborted;
        var failMidway = false;
        // Azurite checking a copy source through the front is not a client call: no faults there.
        var rule = operation == "ValidateCopySource" ? null : faults.Evaluate("Blob." + operation, target.DecodedPath);
        if (rule is not null)
        {
            switch (rule.Kind)
            {
                case FaultKind.CopyFailedMidway:
                    failMidway = operation == "StartCopy";
                    break;
                case FaultKind.TooManyRequests:
                    // Storage throttles with 503 ServerBusy (not 429).
                    await StorageErrors.WriteAsync(context, 503, "ServerBusy", "The server is busy.").ConfigureAwait(false);
                    return 503;
                case FaultKind.ServiceUnavailable:
                    await StorageErrors.WriteAsync(
                        context, 503, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.")
                        .ConfigureAwait(false);
                    return 503;
                case FaultKind.InternalServerError:
                    await StorageErrors.WriteAsync(
                        context, 500, "InternalError", "The server encountered an internal error. Please retry the request.")
                        .ConfigureAwait(false);
                    return 500;
                case FaultKind.ConnectionReset:
                    context.Abort();
                    return 0;
                case FaultKind.SlowResponse:
                    await clock.DelayAsync(rule.Delay ?? TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    break;
            }
        }

        if (target.BlobAddress is { } blob && context.Request.Query.TryGetValue("sig", out var signature)
            && revocations.IsRevoked(blob, signature.ToString(), context.Request.Query["st"].FirstOrDefault()))
        {
            await StorageErrors.WriteAsync(
                context, 403, "AuthenticationFailed",
                "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nThe shared access signature has been revoked.")
                .ConfigureAwait(false);
            return 403;
        }

        await SettleAsync(cancellationToken).ConfigureAwait(false);

        switch (operation)
        {
            case "StartCopy":
                return await StartCopyAsync(context, target, failMidway).ConfigureAwait(false);
            case "AbortCopy":
                return await AbortCopyAsync(context, target).ConfigureAwait(false);
            case "ListBlobs":
                return await ListBlobsAsync(context, target).ConfigureAwait(false);
            case "PutBlob":
                if (model.HasPending(target.BlobAddress!.Value, clock.UtcNow))
                {
                    await StorageErrors.WriteAsync(context, 409, "PendingCopyOperation", "There is currently a pending copy operation.")
                        .ConfigureAwait(false);
                    return 409;
                }

                return await ForwardAndTrackAsync(context, target, operation).ConfigureAwait(false);
            case "DeleteBlob" or "PutBlockList" or "CopyFromUrl" or "PutBlobFromUrl":
                return await ForwardAndTrackAsync(context, target, operation).ConfigureAwait(false);
            default:
                using (var response = await SendAsync(context, target).ConfigureAwait(false))
                {
                    var isRead = operation is "GetBlob" or "GetBlobProperties";
                    await WriteResponseAsync(context, response, isRead ? target.BlobAddress : null, null).ConfigureAwait(false);
                    return (int)response.StatusCode;
                }
        }
    }

    private async Task<int> ForwardAndTrackAsync(HttpContext context, RequestTarget target, string operation)
    {
        var blob = target.BlobAddress!.Value;
        var sourceHeader = context.Request.Headers["x-ms-copy-source"].ToString();
        using var response = await SendAsync(context, target).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            var now = clock.UtcNow;
            switch (operation)
            {
                case "DeleteBlob":
                    if (!context.Request.Query.ContainsKey("snapshot") && !context.Request.Query.ContainsKey("versionid"))
                    {
                        model.Forget(blob, now);
                        modelledSizes.TryRemove(blob, out _);
                    }

                    break;
                case "PutBlob":
                    model.Forget(blob, now);
                    modelledSizes[blob] = context.Request.Headers["x-ms-blob-type"].ToString() switch
                    {
                        "PageBlob" => ParseLong(context.Request.Headers["x-ms-blob-content-length"]),
                        "AppendBlob" => 0,
                        _ => context.Request.ContentLength ?? 0,
                    };
                    break;
                default:
                    model.Forget(blob, now);
                    var source = TryParseSource(sourceHeader, out var sourceAddress, out _, out _, out _) ? sourceAddress : (BlobAddress?)null;
                    if (source is { } known && modelledSizes.TryGetValue(known, out var sourceSize))
                    {
                        modelledSizes[blob] = sourceSize;
                    }
                    else
                    {
                        var properties = await clients.TryGetPropertiesAsync(blob, context.RequestAborted).ConfigureAwait(false);
                        modelledSizes[blob] = properties?.ContentLength ?? 0;
                    }

                    break;
            }
        }

        await WriteResponseAsync(context, response, null, null).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private async Task<int> StartCopyAsync(HttpContext context, RequestTarget target, bool failMidway)
    {
        var destination = target.BlobAddress!.Value;
        var sourceHeader = context.Request.Headers["x-ms-copy-source"].ToString();
        var parsed = TryParseSource(sourceHeader, out var source, out var sourceSignature, out var sourceStart, out var sourceExpiry);
        if (parsed && sourceSignature is not null && revocations.IsRevoked(source, sourceSignature, sourceStart))
        {
            await StorageErrors.WriteAsync(
                context, 403, "CannotVerifyCopySource",
                "Server failed to authenticate the request. The source's shared access signature has been revoked.")
                .ConfigureAwait(false);
            return 403;
        }

        if (model.HasPending(destination, clock.UtcNow))
        {
            await StorageErrors.WriteAsync(context, 409, "PendingCopyOperation", "There is currently a pending copy operation.")
                .ConfigureAwait(false);
            return 409;
        }

        using var response = await SendAsync(context, target).ConfigureAwait(false);
        Action<IHeaderDictionary>? overrideHeaders = null;
        if (parsed && response.IsSuccessStatusCode
            && response.Headers.TryGetValues("x-ms-copy-id", out var ids) && ids.FirstOrDefault() is { } copyId)
        {
            var properties = await clients.TryGetPropertiesAsync(source, context.RequestAborted).ConfigureAwait(false);
            var total = modelledSizes.TryGetValue(source, out var modelled) ? modelled : properties?.ContentLength ?? 0;
            modelledSizes[destination] = total;
            // The source SAS's expiry is real time; the model fails the copy at the matching modelled time.
            var now = clock.UtcNow;
            var modelledExpiry = !FailCopyWhenSourceSasExpires ? null
                : (sourceSignature is null ? null : revocations.ModelledExpiryOf(sourceSignature))
                    ?? (sourceExpiry is { } expiry ? now + clock.ToModelled(expiry - DateTimeOffset.UtcNow) : null);
            var record = model.Start(
                copyId, source, destination, properties?.BlobType == BlobType.Page, total, failMidway, sourceSignature,
                now, modelledExpiry);
            var state = model.GetCurrent(destination, clock.UtcNow);
            overrideHeaders = headers =>
            {
                headers["x-ms-copy-id"] = record.Id;
                headers["x-ms-copy-status"] = state?.StatusText ?? "pending";
            };
        }

        await WriteResponseAsync(context, response, null, null, overrideHeaders).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private async Task<int> AbortCopyAsync(HttpContext context, RequestTarget target)
    {
        var destination = target.BlobAddress!.Value;
        // Azurite authenticates the request (it answers 409 as its copies are never pending); the model decides the rest.
        using var response = await SendAsync(context, target).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status is 400 or 401 or 403 or 404 || status >= 500)
        {
            await WriteResponseAsync(context, response, null, null).ConfigureAwait(false);
            return status;
        }

        var copyId = context.Request.Query["copyid"].ToString();
        switch (model.Abort(destination, copyId, clock.UtcNow))
        {
            case CopyModel.AbortResult.Aborted:
                await SettleAsync(context.RequestAborted).ConfigureAwait(false);
                context.Response.StatusCode = 204;
                context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
                context.Response.Headers["x-ms-version"] = StorageErrors.VersionOf(context);
                if (context.Request.Headers.TryGetValue("x-ms-client-request-id", out var clientRequestId))
                {
                    context.Response.Headers["x-ms-client-request-id"] = clientRequestId;
                }

                return 204;
            case CopyModel.AbortResult.CopyIdMismatch:
                await StorageErrors.WriteAsync(
                    context, 409, "CopyIdMismatch", "The specified copy ID did not match the copy ID for the pending copy operation.")
                    .ConfigureAwait(false);
                return 409;
            default:
                await StorageErrors.WriteAsync(context, 409, "NoPendingCopyOperation", "There is currently no pending copy operation.")
                    .ConfigureAwait(false);
                return 409;
        }
    }

    private async Task<int> ListBlobsAsync(HttpContext context, RequestTarget target)
    {
        using var response = await SendAsync(context, target, stripAcceptEncoding: true).ConfigureAwait(false);
        var includeCopy = context.Request.Query["include"].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Contains("copy", StringComparer.OrdinalIgnoreCase);
        Func<string, string>? transform = response.IsSuccessStatusCode
            ? body => RewriteListing(body, target.Account, target.Container!, includeCopy)
            : null;
        await WriteResponseAsync(context, response, null, transform).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private string RewriteListing(string body, string account, string container, bool includeCopy)
    {
        body = body.Replace("https://" + azurite.Authority, "https://" + FrontAuthority, StringComparison.OrdinalIgnoreCase);
        if (!includeCopy)
        {
            return body;
        }

        XDocument document;
        try
        {
            document = XDocument.Parse(body, LoadOptions.PreserveWhitespace);
        }
        catch (System.Xml.XmlException)
        {
            return body;
        }

        var now = clock.UtcNow;
        foreach (var blobElement in document.Descendants("Blob"))
        {
            var name = blobElement.Element("Name")?.Value;
            var properties = blobElement.Element("Properties");
            if (name is null || properties is null || blobElement.Element("Snapshot") is not null)
            {
                continue;
            }

            var state = model.GetCurrent(new BlobAddress(account, container, name), now);
            if (state is null)
            {
                continue;
            }

            SetElement(properties, "CopyId", state.Id);
            SetElement(properties, "CopyStatus", state.StatusText);
            SetElement(properties, "CopySource", FrontUrl(state.Source));
            SetElement(properties, "CopyProgress", state.Progress);
            SetElement(properties, "CopyCompletionTime", state.EndTime?.ToString("R", CultureInfo.InvariantCulture));
            SetElement(properties, "CopyStatusDescription", state.StatusDescription);
        }

        var declaration = document.Declaration?.ToString() ?? "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
        return declaration + document.ToString(SaveOptions.DisableFormatting);
    }

    private static void SetElement(XElement parent, string name, string? value)
    {
        var element = parent.Element(name);
        if (value is null)
        {
            element?.Remove();
        }
        else if (element is null)
        {
            parent.Add(new XElement(name, value));
        }
        else
        {
            element.Value = value;
        }
    }

    private string FrontUrl(BlobAddress address) =>
        "https://" + FrontAuthority + "/" + Uri.EscapeDataString(address.Account) + "/" + Uri.EscapeDataString(address.Container)
        + "/" + string.Join('/', address.Blob.Split('/').Select(Uri.EscapeDataString));

    /// <summary>
    /// Forwards the request to Azurite unchanged, Host header included: Azurite accepts a copy source only on the
    /// host the copy request names, so copy sources keep the front's URL (x-ms-copy-source is signed by shared key,
    /// it cannot be rewritten) and Azurite validates them through the front.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpContext context, RequestTarget target, bool stripAcceptEncoding = false)
    {
        var request = context.Request;
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri("https://" + azurite.Authority + target.RawTarget))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var hasBody = request.ContentLength > 0
            || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        var mayHaveContent = hasBody || HttpMethods.IsPut(request.Method) || HttpMethods.IsPost(request.Method)
            || HttpMethods.IsPatch(request.Method);
        if (mayHaveContent)
        {
            message.Content = hasBody ? new StreamContent(request.Body, 256 * 1024) : new ByteArrayContent([]);
            if (request.ContentLength is { } length)
            {
                message.Content.Headers.ContentLength = length;
            }
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHopHeaders.Contains(name) || string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)
                || (stripAcceptEncoding && string.Equals(name, "Accept-Encoding", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            IEnumerable<string?> forwarded = values;
            if (ContentHeaders.Contains(name))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, forwarded.OfType<string>());
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, forwarded.OfType<string>());
            }
        }

        message.Headers.Host = request.Host.HasValue ? request.Host.Value : FrontAuthority;
        try
        {
            return await clients.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted)
                .ConfigureAwait(false);
        }
        finally
        {
            message.Dispose();
        }
    }

    private async Task WriteResponseAsync(
        HttpContext context,
        HttpResponseMessage response,
        BlobAddress? readTarget,
        Func<string, string>? transformBody,
        Action<IHeaderDictionary>? overrideHeaders = null)
    {
        var outgoing = context.Response;
        outgoing.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (HopByHopHeaders.Contains(name))
            {
                continue;
            }

            var array = values.ToArray();
            if (string.Equals(name, "x-ms-copy-source", StringComparison.OrdinalIgnoreCase))
            {
                array = [.. array.Select(FromAzurite)];
            }

            outgoing.Headers[name] = new StringValues(array);
        }

        if (readTarget is { } blob && response.IsSuccessStatusCode)
        {
            ApplyCopyHeaders(outgoing.Headers, blob);
        }

        overrideHeaders?.Invoke(outgoing.Headers);

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        if (transformBody is not null)
        {
            var text = await response.Content.ReadAsStringAsync(context.RequestAborted).ConfigureAwait(false);
            var bytes = Encoding.UTF8.GetBytes(transformBody(text));
            outgoing.Headers.Remove("Content-MD5");
            outgoing.ContentLength = bytes.Length;
            await outgoing.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.CopyToAsync(outgoing.Body, 256 * 1024, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private void ApplyCopyHeaders(IHeaderDictionary headers, BlobAddress blob)
    {
        if (modelledSizes.TryGetValue(blob, out var modelledSize))
        {
            headers["x-localazure-modelled-length"] = modelledSize.ToString(CultureInfo.InvariantCulture);
        }

        var state = model.GetCurrent(blob, clock.UtcNow);
        if (state is null)
        {
            return;
        }

        foreach (var name in CopyHeaders)
        {
            headers.Remove(name);
        }

        headers["x-ms-copy-id"] = state.Id;
        headers["x-ms-copy-status"] = state.StatusText;
        headers["x-ms-copy-source"] = FrontUrl(state.Source);
        headers["x-ms-copy-progress"] = state.Progress;
        if (state.EndTime is { } end)
        {
            headers["x-ms-copy-completion-time"] = end.ToString("R", CultureInfo.InvariantCulture);
        }

        if (state.StatusDescription is { } description)
        {
            headers["x-ms-copy-status-description"] = description;
        }
    }

    private string FromAzurite(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.IsLoopback || uri.Port != azurite.Port)
        {
            return url;
        }

        return "https://" + FrontAuthority + RestAfterAuthority(url);
    }

    private static string RestAfterAuthority(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var pathStart = schemeEnd < 0 ? -1 : url.IndexOf('/', schemeEnd + 3);
        return pathStart < 0 ? "/" : url[pathStart..];
    }

    /// <summary>Parses a copy source URL that points at the front or Azurite into a blob address and its SAS.</summary>
    private bool TryParseSource(
        string url, out BlobAddress source, out string? signature, out string? signedStart, out DateTimeOffset? signedExpiry)
    {
        source = default;
        signature = null;
        signedStart = null;
        signedExpiry = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.IsLoopback
            || (uri.Port != FrontPort && uri.Port != azurite.Port))
        {
            return false;
        }

        var rest = RestAfterAuthority(url);
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? rest : rest[..queryStart];
        if (RequestTarget.ParsePath(path) is not { Container: not null, Blob: not null } parts)
        {
            return false;
        }

        source = new BlobAddress(parts.Account, parts.Container, parts.Blob);
        if (queryStart >= 0)
        {
            var query = QueryHelpers.ParseQuery(rest[queryStart..]);
            signature = query.TryGetValue("sig", out var sig) ? sig.ToString() : null;
            signedStart = query.TryGetValue("st", out var st) ? st.ToString() : null;
            if (signature is not null && query.TryGetValue("se", out var se) && DateTimeOffset.TryParse(
                    se.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                    out var expiry))
            {
                signedExpiry = expiry;
            }
        }

        return true;
    }

    private static long ParseLong(StringValues value) =>
        long.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
}

/// <summary>The request target as sent (raw, for forwarding) and as an address (decoded).</summary>
internal sealed record RequestTarget(string RawTarget, string DecodedPath, string Account, string? Container, string? Blob)
{
    public BlobAddress? BlobAddress => Container is not null && Blob is not null ? new BlobAddress(Account, Container, Blob) : null;

    public static RequestTarget From(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            raw = context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        }

        var queryStart = raw.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? raw : raw[..queryStart];
        var parts = ParsePath(path) ?? (string.Empty, null, null);
        var decoded = "/" + parts.Account + (parts.Container is null ? string.Empty : "/" + parts.Container)
            + (parts.Blob is null ? string.Empty : "/" + parts.Blob);
        return new RequestTarget(raw, decoded, parts.Account, parts.Container, parts.Blob);
    }

    /// <summary>"/account/container/blob/name" to its decoded parts; the blob name keeps its slashes.</summary>
    public static (string Account, string? Container, string? Blob)? ParsePath(string path)
    {
        var trimmed = path.TrimStart('/');
        if (trimmed.Length == 0)
        {
            return null;
        }

        var segments = trimmed.Split('/', 3);
        var account = Uri.UnescapeDataString(segments[0]);
        var container = segments.Length > 1 && segments[1].Length > 0 ? Uri.UnescapeDataString(segments[1]) : null;
        var blob = segments.Length > 2 && segments[2].Length > 0 ? Uri.UnescapeDataString(segments[2]) : null;
        return (account, container, blob);
    }
}
