using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalAzure.Common;
using LocalAzure.World;
using Microsoft.AspNetCore.Http;

namespace LocalAzure.Arm;

/// <summary>
/// The inspection and control API under <c>/_localazure</c> on the ARM port, guarded by the admin key
/// (header <c>X-LocalAzure-Key</c>). Admin calls are not recorded in the request log.
/// </summary>
internal sealed class AdminApi(ArmContext context, WorldInspector inspector)
{
    public const string KeyHeader = "X-LocalAzure-Key";

    public async Task HandleAsync(HttpContext http)
    {
        var path = (http.Request.Path.Value ?? string.Empty)["/_localazure".Length..].TrimEnd('/').ToLowerInvariant();
        var method = http.Request.Method.ToUpperInvariant();
        if (path == "/health" && method == "GET")
        {
            await ArmFront.WriteAsync(http, 200, new JsonObject { ["status"] = "ready" }, new Dictionary<string, string>()).ConfigureAwait(false);
            return;
        }

        var key = http.Request.Headers[KeyHeader].FirstOrDefault() ?? string.Empty;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(context.AdminKey)))
        {
            await ArmFront.WriteAsync(http, 401, ArmException.Body("AdminKeyRequired", $"The admin API needs the admin key of ready.json in the {KeyHeader} header."), new Dictionary<string, string>()).ConfigureAwait(false);
            return;
        }

        try
        {
            JsonNode? result = (method, path) switch
            {
                ("GET", "/requests") => Requests(http.Request.Query),
                ("DELETE", "/requests") => ClearRequests(),
                ("GET", "/requests/summary") => Summary(),
                ("GET", "/state") => await inspector.SnapshotAsync(http.RequestAborted).ConfigureAwait(false),
                ("GET", "/faults") => Faults(),
                ("POST", "/faults") => await AddFaultsAsync(http).ConfigureAwait(false),
                ("DELETE", "/faults") => ClearFaults(),
                ("GET", "/limits") => Limits(),
                ("POST", "/limits") => await SetLimitsAsync(http).ConfigureAwait(false),
                _ => throw new ArmException(404, "NotFound", $"No admin route {method} /_localazure{path}. Routes: GET /health, GET|DELETE /requests, GET /requests/summary, GET /state, GET|POST|DELETE /faults, GET|POST /limits."),
            };
            await ArmFront.WriteAsync(http, 200, result, new Dictionary<string, string>()).ConfigureAwait(false);
        }
        catch (ArmException e)
        {
            await ArmFront.WriteAsync(http, e.Status, ArmException.Body(e.Code, e.Message), e.Headers).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidDataException)
        {
            await ArmFront.WriteAsync(http, 400, ArmException.Body("InvalidRequestContent", e.Message), new Dictionary<string, string>()).ConfigureAwait(false);
        }
    }

    /// <summary>Counts of ARM requests per subscription: reads, writes, throttled (429), failed (4xx/5xx).</summary>
    public static JsonObject SummaryOf(IEnumerable<RequestLogEntry> entries)
    {
        var result = new JsonObject();
        foreach (var group in entries.Where(e => e.Service.Equals("arm", StringComparison.OrdinalIgnoreCase)).GroupBy(e => e.SubscriptionId ?? "(none)").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            result[group.Key] = new JsonObject
            {
                ["reads"] = group.Count(e => !e.IsWrite),
                ["writes"] = group.Count(e => e.IsWrite),
                ["throttled"] = group.Count(e => e.Status == 429),
                ["failed"] = group.Count(e => e.Status >= 400 || e.Status == 0),
            };
        }

        return result;
    }

    private JsonObject Requests(IQueryCollection query)
    {
        var entries = context.Log.Snapshot();
        var service = query["service"].FirstOrDefault();
        var since = int.TryParse(query["since"].FirstOrDefault(), out var s) ? s : 0;
        var selected = entries.Select((e, i) => (Entry: e, Index: i))
            .Where(x => x.Index >= since && (service is null || x.Entry.Service.Equals(service, StringComparison.OrdinalIgnoreCase)));
        var array = new JsonArray();
        foreach (var (entry, index) in selected)
        {
            var node = JsonSerializer.SerializeToNode(entry, WorldFile.SerializerOptions)!.AsObject();
            node["index"] = index;
            array.Add(node);
        }

        return new JsonObject { ["count"] = entries.Count, ["entries"] = array };
    }

    private JsonObject ClearRequests()
    {
        context.Log.Clear();
        return new JsonObject { ["cleared"] = true };
    }

    private JsonObject Summary() => SummaryOf(context.Log.Snapshot());

    private JsonArray Faults() => JsonSerializer.SerializeToNode(context.Faults.Rules, WorldFile.SerializerOptions)!.AsArray();

    private async Task<JsonNode?> AddFaultsAsync(HttpContext http)
    {
        var node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false)
            ?? throw new InvalidDataException("A fault rule (or an array of them) is required.");
        var seeds = node is JsonArray
            ? node.Deserialize<List<FaultRuleSeed>>(WorldFile.SerializerOptions)!
            : [node.Deserialize<FaultRuleSeed>(WorldFile.SerializerOptions)!];
        foreach (var seed in seeds)
        {
            context.Faults.Add(seed.ToRule());
        }

        return Faults();
    }

    private JsonArray ClearFaults()
    {
        context.Faults.Clear();
        return Faults();
    }

    private JsonObject Limits() => new()
    {
        ["readsPerHour"] = context.Throttle.ReadsPerHour,
        ["writesPerHour"] = context.Throttle.WritesPerHour,
        ["pageSize"] = context.PageSize,
    };

    private async Task<JsonNode?> SetLimitsAsync(HttpContext http)
    {
        var body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false) as JsonObject
            ?? throw new InvalidDataException("Expected {\"readsPerHour\":n, \"writesPerHour\":n, \"pageSize\":n, \"reset\":true}.");
        var reads = body["readsPerHour"]?.GetValue<int>();
        var writes = body["writesPerHour"]?.GetValue<int>();
        if (reads is < 1 || writes is < 1)
        {
            throw new InvalidDataException("Limits must be positive.");
        }

        context.Throttle.Configure(reads, writes, body["reset"]?.GetValue<bool>() ?? false);
        if (body["pageSize"]?.GetValue<int>() is int pageSize)
        {
            context.PageSize = pageSize >= 1 ? pageSize : throw new InvalidDataException("pageSize must be positive.");
        }

        return Limits();
    }
}
