using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;

namespace ImageFactory.Engine.Azure;

/// <summary>
/// Raw Resource Manager calls through ArmClient's own pipeline (authentication, retries honouring Retry-After,
/// logging policies): the small part of the REST API the factory needs, without the service packages
/// (Azure.ResourceManager.DevTestLabs is not available to us). Long-running operations are awaited here, honouring
/// the service's polling hints.
/// </summary>
internal sealed class ArmRestClient
{
    private static readonly TimeSpan DefaultPollingInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaximumPollingInterval = TimeSpan.FromSeconds(60);

    private readonly HttpPipeline pipeline;
    private readonly Uri endpoint;

    internal ArmRestClient(ArmClient client)
    {
        var access = new PipelineAccess(client);
        pipeline = access.ClientPipeline;
        endpoint = access.ClientEndpoint;
    }

    internal ArmRestClient(HttpPipeline pipeline, Uri endpoint)
    {
        this.pipeline = pipeline;
        this.endpoint = endpoint;
    }

    internal async Task<JsonNode?> GetAsync(string path, string apiVersion, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string>>? query = null)
    {
        using var message = CreateMessage(RequestMethod.Get, path, apiVersion, query, body: null);
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(message, path);
        return ParseBody(message.Response);
    }

    /// <summary>GET that answers null for 404 instead of throwing.</summary>
    internal async Task<JsonNode?> GetOrNullAsync(string path, string apiVersion, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string>>? query = null)
    {
        using var message = CreateMessage(RequestMethod.Get, path, apiVersion, query, body: null);
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status == 404)
        {
            return null;
        }

        EnsureSuccess(message, path);
        return ParseBody(message.Response);
    }

    /// <summary>Every element of a list, following <c>nextLink</c> page by page.</summary>
    internal async IAsyncEnumerable<JsonObject> ListAsync(
        string path,
        string apiVersion,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        IEnumerable<KeyValuePair<string, string>>? query = null)
    {
        Uri? next = null;
        do
        {
            using var message = next is null
                ? CreateMessage(RequestMethod.Get, path, apiVersion, query, body: null)
                : CreateMessage(RequestMethod.Get, next);
            await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            EnsureSuccess(message, path);
            var page = ParseBody(message.Response) as JsonObject;
            if (page?["value"] is JsonArray values)
            {
                foreach (var value in values)
                {
                    if (value is JsonObject item)
                    {
                        yield return item;
                    }
                }
            }

            var nextLink = TextOf(page?["nextLink"]);
            next = string.IsNullOrEmpty(nextLink) ? null : new Uri(nextLink);
        }
        while (next is not null);
    }

    internal async Task<JsonNode?> PatchAsync(string path, string apiVersion, JsonNode body, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Patch, path, apiVersion, query: null, body);
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(message, path);
        return ParseBody(message.Response);
    }

    /// <summary>PUT and wait for the resource to be provisioned; returns the final resource.</summary>
    internal async Task<JsonNode?> PutAndWaitAsync(string path, string apiVersion, JsonNode body, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Put, path, apiVersion, query: null, body);
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(message, path);
        await WaitForOperationAsync(message.Response, path, cancellationToken).ConfigureAwait(false);
        var resource = await GetAsync(path, apiVersion, cancellationToken).ConfigureAwait(false);
        var state = TextOf(resource?["properties"]?["provisioningState"]);
        if (string.Equals(state, "Failed", StringComparison.OrdinalIgnoreCase))
        {
            throw new AzureRequestException(0, "ProvisioningFailed", $"The resource '{path}' ended in provisioning state Failed.", "PUT", path);
        }

        return resource;
    }

    /// <summary>DELETE and wait until the resource is gone. A resource that is already gone counts as deleted.</summary>
    internal async Task<bool> DeleteAndWaitAsync(string path, string apiVersion, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Delete, path, apiVersion, query: null, body: null);
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status == 404)
        {
            return false;
        }

        EnsureSuccess(message, path);
        await WaitForOperationAsync(message.Response, path, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>POST an action and wait for it; returns the operation's result body, if any.</summary>
    internal async Task<JsonNode?> PostAndWaitAsync(string path, string apiVersion, JsonNode? body, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Post, path, apiVersion, query: null, body);
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(message, path);
        var result = await WaitForOperationAsync(message.Response, path, cancellationToken).ConfigureAwait(false);
        return result ?? ParseBody(message.Response);
    }

    /// <summary>
    /// Follows an ARM long-running operation: <c>Azure-AsyncOperation</c> (poll its status) or <c>Location</c> (poll
    /// until it stops answering 202). Returns the final body of a Location operation, if any.
    /// </summary>
    private async Task<JsonNode?> WaitForOperationAsync(Response initial, string path, CancellationToken cancellationToken)
    {
        var asyncOperation = HeaderUri(initial, "Azure-AsyncOperation");
        var location = HeaderUri(initial, "Location");
        if (initial.Status is not (201 or 202) && asyncOperation is null)
        {
            return null;
        }

        if (asyncOperation is null && location is null)
        {
            return null;
        }

        var delay = PollingDelay(initial);
        if (asyncOperation is not null)
        {
            while (true)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                using var poll = CreateMessage(RequestMethod.Get, asyncOperation);
                await pipeline.SendAsync(poll, cancellationToken).ConfigureAwait(false);
                EnsureSuccess(poll, path);
                var status = ParseBody(poll.Response) as JsonObject;
                var state = TextOf(status?["status"]);
                if (string.Equals(state, "Succeeded", StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }

                if (state is not null && (string.Equals(state, "Failed", StringComparison.OrdinalIgnoreCase)
                    || string.Equals(state, "Canceled", StringComparison.OrdinalIgnoreCase)))
                {
                    throw OperationFailed(status, path, state);
                }

                delay = PollingDelay(poll.Response);
            }

            if (location is null)
            {
                return null;
            }
        }

        while (true)
        {
            if (asyncOperation is null)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            using var poll = CreateMessage(RequestMethod.Get, location!);
            await pipeline.SendAsync(poll, cancellationToken).ConfigureAwait(false);
            if (poll.Response.Status == 202)
            {
                delay = PollingDelay(poll.Response);
                asyncOperation = null;
                continue;
            }

            if (poll.Response.Status is 400 or 409)
            {
                // The operation itself failed (DevTest Labs answers its Location poll with the operation's error):
                // that is the operation's outcome, not a failed request.
                throw OperationFailed(ParseBody(poll.Response) as JsonObject, path, "Failed");
            }

            EnsureSuccess(poll, path);
            var body = ParseBody(poll.Response);
            var state = TextOf((body as JsonObject)?["status"]);
            if (state is not null && (string.Equals(state, "Failed", StringComparison.OrdinalIgnoreCase)
                || string.Equals(state, "Canceled", StringComparison.OrdinalIgnoreCase)))
            {
                throw OperationFailed(body as JsonObject, path, state);
            }

            return body;
        }
    }

    private static AzureRequestException OperationFailed(JsonObject? status, string path, string state)
    {
        var error = status?["error"] as JsonObject;
        var code = TextOf(error?["code"]) ?? state;
        var text = TextOf(error?["message"]) ?? $"The operation on '{path}' ended {state}.";
        return new AzureRequestException(0, code, $"{code}: {text}", "LRO", path);
    }

    /// <summary>The service's polling hint: retry-after-ms, x-ms-retry-after-ms, then Retry-After in seconds.</summary>
    internal static TimeSpan PollingDelay(Response response)
    {
        foreach (var name in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (response.Headers.TryGetValue(name, out var text)
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds))
            {
                return Clamp(TimeSpan.FromMilliseconds(milliseconds));
            }
        }

        if (response.Headers.TryGetValue("Retry-After", out var retryAfter)
            && int.TryParse(retryAfter, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return Clamp(TimeSpan.FromSeconds(seconds));
        }

        return DefaultPollingInterval;

        static TimeSpan Clamp(TimeSpan value) =>
            value < TimeSpan.Zero ? TimeSpan.Zero : value > MaximumPollingInterval ? MaximumPollingInterval : value;
    }

    /// <summary>A string value, or null when absent or not a string (an error body's shape is never trusted).</summary>
    private static string? TextOf(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static Uri? HeaderUri(Response response, string name) =>
        response.Headers.TryGetValue(name, out var value) && Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : null;

    private HttpMessage CreateMessage(
        RequestMethod method, string path, string apiVersion, IEnumerable<KeyValuePair<string, string>>? query, JsonNode? body)
    {
        var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(endpoint);
        request.Uri.AppendPath(path, escape: false);
        request.Uri.AppendQuery("api-version", apiVersion);
        foreach (var (name, value) in query ?? [])
        {
            request.Uri.AppendQuery(name, value);
        }

        request.Headers.Add("Accept", "application/json");
        if (body is not null)
        {
            request.Headers.Add("Content-Type", "application/json");
            request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        }

        return message;
    }

    private HttpMessage CreateMessage(RequestMethod method, Uri absolute)
    {
        // nextLink, Location and Azure-AsyncOperation come from the response: the bearer token goes along with the
        // request, so it is only ever sent back to the Resource Manager endpoint itself.
        if (!string.Equals(absolute.Host, endpoint.Host, StringComparison.OrdinalIgnoreCase) || absolute.Port != endpoint.Port
            || absolute.Scheme != Uri.UriSchemeHttps)
        {
            throw new AzureRequestException(
                0, "UnexpectedHost", $"The service pointed to '{absolute.GetLeftPart(UriPartial.Authority)}', which is not the Resource Manager endpoint '{endpoint.GetLeftPart(UriPartial.Authority)}'; the request was not sent.", method.ToString(), absolute.AbsolutePath);
        }

        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(absolute);
        message.Request.Headers.Add("Accept", "application/json");
        return message;
    }

    private static void EnsureSuccess(HttpMessage message, string path)
    {
        var response = message.Response;
        if (response.Status is >= 200 and < 300)
        {
            return;
        }

        string? code = null;
        string? text = null;
        try
        {
            if (ParseBody(response) is JsonObject body && body["error"] is JsonObject error)
            {
                code = TextOf(error["code"]);
                text = TextOf(error["message"]);
            }
        }
        catch (JsonException)
        {
            // Not an ARM error body (a proxy's HTML page, say): the status alone tells.
        }

        var method = message.Request.Method.ToString();
        var description = code is null
            ? $"{method} {path} failed with HTTP {response.Status} ({response.ReasonPhrase})."
            : $"{method} {path} failed with HTTP {response.Status} {code}: {text}";
        throw new AzureRequestException(response.Status, code, description, method, path);
    }

    private static JsonNode? ParseBody(Response response)
    {
        var content = response.Content;
        if (content is null || content.ToMemory().IsEmpty)
        {
            return null;
        }

        return JsonNode.Parse(content.ToMemory().Span);
    }

    /// <summary>ArmClient keeps its pipeline to its resources; a resource of our own reaches it.</summary>
    private sealed class PipelineAccess(ArmClient client) : ArmResource(client, ResourceIdentifier.Root)
    {
        internal HttpPipeline ClientPipeline => Pipeline;

        internal Uri ClientEndpoint => Endpoint;
    }
}
