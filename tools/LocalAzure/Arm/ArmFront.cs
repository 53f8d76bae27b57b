using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalAzure.Common;
using LocalAzure.World;
using Microsoft.AspNetCore.Http;

namespace LocalAzure.Arm;

/// <summary>
/// The HTTPS front on the ARM port: the token endpoint, the ARM pipeline (authenticate, route, check api-version,
/// authorise, throttle, inject faults, handle) and the admin API. Every request except admin calls is logged.
/// </summary>
internal sealed partial class ArmFront
{
    private readonly ArmContext _context;
    private readonly ArmRouter _router;
    private readonly AdminApi _admin;
    private readonly TokenEndpoint _token;

    public ArmFront(ArmContext context, ArmRouter router, AdminApi admin)
    {
        _context = context;
        _router = router;
        _admin = admin;
        _token = new TokenEndpoint(context);
    }

    public async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path.StartsWith("/_localazure", StringComparison.OrdinalIgnoreCase))
        {
            await _admin.HandleAsync(http).ConfigureAwait(false);
            return;
        }

        if (TokenPath().Match(path) is { Success: true } tokenMatch)
        {
            await _token.HandleAsync(http, tokenMatch.Groups[1].Value).ConfigureAwait(false);
            return;
        }

        if (OpenIdPath().Match(path) is { Success: true } openIdMatch)
        {
            await TokenEndpoint.HandleOpenIdConfigurationAsync(http, openIdMatch.Groups[1].Value).ConfigureAwait(false);
            return;
        }

        await HandleArmAsync(http, path).ConfigureAwait(false);
    }

    private async Task HandleArmAsync(HttpContext http, string path)
    {
        var trace = new RequestTrace();
        var requestId = Guid.NewGuid().ToString();
        http.Response.Headers["x-ms-request-id"] = requestId;
        http.Response.Headers["x-ms-correlation-request-id"] = http.Request.Headers["x-ms-correlation-request-id"].FirstOrDefault() ?? requestId;
        http.Response.Headers["x-ms-routing-request-id"] = "LOCALAZURE:" + DateTime.UtcNow.ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture) + "Z:" + requestId;
        if (http.Request.Headers["x-ms-client-request-id"].FirstOrDefault() is { } clientRequestId)
        {
            http.Response.Headers["x-ms-client-request-id"] = clientRequestId;
        }

        trace.IsWrite = !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method);
        try
        {
            var result = await ProcessAsync(http, path, trace).ConfigureAwait(false);
            if (result is null)
            {
                // Connection reset: no response at all.
                trace.Status = 0;
                http.Abort();
                return;
            }

            await WriteAsync(http, result.Status, result.Body, result.Headers).ConfigureAwait(false);
            trace.Status = result.Status;
        }
        catch (ArmException e)
        {
            await WriteAsync(http, e.Status, ArmException.Body(e.Code, e.Message), e.Headers).ConfigureAwait(false);
            trace.Status = e.Status;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            trace.Status = 499;
        }
#pragma warning disable CA1031 // A bug in a handler must still answer like ARM (500 with an error body), not drop the connection.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (!http.Response.HasStarted)
            {
                http.Response.Clear();
                await WriteAsync(http, 500, ArmException.Body("InternalServerError", $"Encountered internal server error in the local Azure: {e.GetType().Name}: {e.Message}"), new Dictionary<string, string>()).ConfigureAwait(false);
            }

            trace.Status = 500;
        }
        finally
        {
            _context.Log.Record(new RequestLogEntry(
                DateTimeOffset.UtcNow, "arm", http.Request.Method, Redaction.PathAndQuery(http.Request), trace.Status,
                trace.Principal, trace.SubscriptionId, trace.Operation, trace.IsWrite));
        }
    }

    private async Task<ArmResult?> ProcessAsync(HttpContext http, string path, RequestTrace trace)
    {
        // 1. Authentication comes first, as in ARM.
        var validation = _context.Tokens.Validate(http.Request.Headers.Authorization.FirstOrDefault(), DateTimeOffset.UtcNow);
        if (!validation.IsValid)
        {
            throw Unauthorized(validation.ErrorCode!, validation.ErrorMessage!);
        }

        Principal principal;
        lock (_context.World.Sync)
        {
            principal = _context.World.Principals.FirstOrDefault(p =>
                p.TenantId.Equals(validation.TenantId, StringComparison.OrdinalIgnoreCase)
                && p.ClientId.Equals(validation.ClientId, StringComparison.OrdinalIgnoreCase))
                ?? throw Unauthorized("InvalidAuthenticationToken", "The access token is invalid.");
        }

        trace.Principal = principal.ClientId;

        var query = http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var apiVersion = query.GetValueOrDefault("api-version");
        var parsed = ParsedPath.Parse(path);
        trace.SubscriptionId = parsed?.SubscriptionId?.ToLowerInvariant();

        // 2. Throttling: every authenticated request counts, whatever its outcome, as in ARM.
        var bucketScope = parsed?.SubscriptionId is { } s ? s.ToLowerInvariant() : "tenant:" + principal.TenantId;
        var decision = _context.Throttle.Take(bucketScope, principal.ObjectId, trace.IsWrite);
        var limitHeader = (parsed?.SubscriptionId is null ? "x-ms-ratelimit-remaining-tenant-" : "x-ms-ratelimit-remaining-subscription-")
            + (trace.IsWrite ? "writes" : "reads");
        http.Response.Headers[limitHeader] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        if (!decision.Allowed)
        {
            throw WithRetryHints(
                new ArmException(
                    429, "TooManyRequests",
                    $"Number of '{(trace.IsWrite ? "write" : "read")}' requests for subscription '{parsed?.SubscriptionId}' actor '{principal.ObjectId}' exceeded. Please try again after '{Math.Ceiling(decision.ModelledWait.TotalSeconds)}' seconds after the additional tokens are refilled."),
                decision.ModelledWait);
        }

        // 3. api-version and routing.
        if (parsed is null)
        {
            throw new ArmException(404, "NotFound", $"The requested URI '{path}' does not represent any resource on the server.");
        }

        if (string.IsNullOrEmpty(apiVersion))
        {
            throw ArmErrors.MissingApiVersion();
        }

        var match = _router.Match(http.Request.Method, parsed, apiVersion);
        var route = match.Route;
        trace.Operation = route.Operation;
        trace.IsWrite = route.IsWrite;
        CheckApiVersion(route, parsed, apiVersion);

        // 4. Subscription, tenant and role assignments.
        if (parsed.SubscriptionId is { } subscriptionId)
        {
            Subscription subscription;
            lock (_context.World.Sync)
            {
                subscription = _context.World.Subscriptions.GetValueOrDefault(subscriptionId)
                    ?? throw ArmErrors.SubscriptionNotFound(subscriptionId);
            }

            if (!subscription.TenantId.Equals(validation.TenantId, StringComparison.OrdinalIgnoreCase))
            {
                throw Unauthorized(
                    "InvalidAuthenticationTokenTenant",
                    $"The access token is from the wrong issuer 'https://sts.windows.net/{validation.TenantId}/'. It must match the tenant 'https://sts.windows.net/{subscription.TenantId}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/{subscription.TenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.");
            }

            var subscriptionLevelRead = parsed.ResourceGroup is null && !route.IsWrite;
            var allowed = subscriptionLevelRead
                ? AccessControl.HasAnyAssignment(principal, subscriptionId)
                : AccessControl.IsAllowed(principal, subscriptionId, parsed.ResourceGroup, route.IsWrite);
            if (!allowed)
            {
                throw AccessControl.Denied(principal, route.Operation, Scope(path, route));
            }
        }

        // 5. The resource group must exist (ARM checks it before the provider sees the request).
        if (parsed.ResourceGroup is { } group && parsed.Scope == RouteScope.ResourceGroup)
        {
            lock (_context.World.Sync)
            {
                if (_context.World.FindGroup(parsed.SubscriptionId!, group) is null)
                {
                    throw ArmErrors.ResourceGroupNotFound(group);
                }
            }
        }

        // 6. Injected faults.
        var fault = _context.Faults.Evaluate(route.Operation, path);
        switch (fault?.Kind)
        {
            case FaultKind.TooManyRequests:
                throw WithRetryHints(
                    new ArmException(429, "TooManyRequests", $"The request is being throttled (injected fault on '{route.Operation}')."),
                    fault.Delay ?? TimeSpan.FromSeconds(17));
            case FaultKind.Conflict:
                throw new ArmException(409, "Conflict", $"The operation cannot be performed because another operation is in progress on the resource (injected fault on '{route.Operation}').");
            case FaultKind.InternalServerError:
                throw new ArmException(500, "InternalServerError", $"Encountered internal server error. Diagnostic information: timestamp '{DateTime.UtcNow:yyyyMMddTHHmmss.fffffffZ}', injected fault on '{route.Operation}'.");
            case FaultKind.ServiceUnavailable:
                throw WithRetryHints(
                    new ArmException(503, "ServiceUnavailable", $"The service is temporarily unavailable (injected fault on '{route.Operation}'). Please retry later."),
                    fault.Delay ?? TimeSpan.FromSeconds(10));
            case FaultKind.ConnectionReset:
                return null;
            case FaultKind.SlowResponse:
                await _context.Clock.DelayAsync(fault.Delay ?? TimeSpan.FromMinutes(1), http.RequestAborted).ConfigureAwait(false);
                break;
            default:
                break;
        }

        // 7. The handler.
        JsonNode? body = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw ArmErrors.InvalidRequestContent($"The request content was invalid and could not be deserialized: '{e.Message}'.");
            }
        }

        var request = new ArmRequest
        {
            Match = match,
            Method = http.Request.Method,
            ApiVersion = apiVersion,
            BaseUri = new Uri($"{http.Request.Scheme}://{http.Request.Host}/"),
            PathAndQuery = path + http.Request.QueryString,
            Query = query,
            Principal = principal,
            Body = body,
            Fault = fault?.Kind == FaultKind.LongRunningOperationFailed ? fault : null,
        };
        return await route.Handler(request, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Adds the retry-after headers for <paramref name="modelledWait"/> to <paramref name="exception"/>.</summary>
    private ArmException WithRetryHints(ArmException exception, TimeSpan modelledWait)
    {
        foreach (var (name, value) in LongRunningOperations.RetryHints(_context.Clock, modelledWait))
        {
            exception.Headers[name] = value;
        }

        return exception;
    }

    private void CheckApiVersion(ArmRoute route, ParsedPath parsed, string apiVersion)
    {
        if (route.Scope == RouteScope.Resources)
        {
            if (!ProviderCatalog.ResourcesVersions.Contains(apiVersion, StringComparer.OrdinalIgnoreCase))
            {
                throw ArmErrors.InvalidApiVersion(apiVersion, ProviderCatalog.ResourcesVersions);
            }

            return;
        }

        var type = ProviderCatalog.FindType(route.Namespace, route.ApiTypePath)
            ?? throw ArmErrors.InvalidResourceType(route.ApiTypePath, route.Namespace, apiVersion);
        if (!type.Supports(apiVersion))
        {
            string location;
            lock (_context.World.Sync)
            {
                location = parsed.ResourceGroup is { } g && _context.World.FindGroup(parsed.SubscriptionId!, g) is { } group
                    ? group.Location
                    : "global";
            }

            throw ArmErrors.NoRegisteredProvider(location, apiVersion, route.Namespace + "/" + type.ResourceType, type.ApiVersions, ["West Europe", "North Europe", "East US", "West US"]);
        }
    }

    private static string Scope(string path, ArmRoute route)
    {
        var trimmed = path.TrimEnd('/');
        return route.Shape == RouteShape.Action ? trimmed[..trimmed.LastIndexOf('/')] : trimmed;
    }

    private static ArmException Unauthorized(string code, string message)
    {
        var e = new ArmException(401, code, message);
        var description = code == "AuthenticationFailed" ? "The authentication failed because of missing 'Authorization' header." : message;
        e.Headers["WWW-Authenticate"] = $"Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"{description.Replace("\"", "'", StringComparison.Ordinal)}\"";
        return e;
    }

    internal static async Task WriteAsync(HttpContext http, int status, JsonNode? body, IReadOnlyDictionary<string, string> headers)
    {
        http.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            http.Response.Headers[name] = value;
        }

        if (body is null)
        {
            http.Response.ContentLength = 0;
            return;
        }

        http.Response.ContentType = "application/json; charset=utf-8";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, ResponseJson);
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    private static readonly JsonSerializerOptions ResponseJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [GeneratedRegex("^/([^/]+)/oauth2/v2\\.0/token/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TokenPath();

    [GeneratedRegex("^/([^/]+)/v2\\.0/\\.well-known/openid-configuration/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OpenIdPath();

    private sealed class RequestTrace
    {
        public int Status { get; set; } = 500;

        public string? Principal { get; set; }

        public string? SubscriptionId { get; set; }

        public string? Operation { get; set; }

        public bool IsWrite { get; set; }
    }
}

/// <summary>Keeps secrets out of the request log: SAS signatures, keys, codes and tokens in query strings.</summary>
internal static class Redaction
{
    private static readonly HashSet<string> SecretParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "sig", "code", "client_secret", "access_token", "token", "key", "skoid", "sktid",
    };

    public static string PathAndQuery(HttpRequest request)
    {
        if (!request.QueryString.HasValue)
        {
            return request.Path.Value ?? "/";
        }

        var parts = request.Query.Select(q => q.Key + "=" + (SecretParameters.Contains(q.Key) ? "REDACTED" : q.Value.ToString()));
        return (request.Path.Value ?? "/") + "?" + string.Join('&', parts);
    }
}
