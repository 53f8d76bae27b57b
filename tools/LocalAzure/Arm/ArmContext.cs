using System.Globalization;
using System.Text.Json.Nodes;
using LocalAzure.Common;
using LocalAzure.Model;
using LocalAzure.Storage;
using LocalAzure.World;

namespace LocalAzure.Arm;

/// <summary>The services every ARM handler shares: the world, modelled time, LROs, blobs and settings.</summary>
internal sealed class ArmContext
{
    public required WorldState World { get; init; }

    public required IModelClock Clock { get; init; }

    public required FaultInjector Faults { get; init; }

    public required RequestLog Log { get; init; }

    public required TokenService Tokens { get; init; }

    public required Throttling Throttle { get; init; }

    public required LongRunningOperations Operations { get; init; }

    public required IBlobBackend Blobs { get; init; }

    public required DurationSettings Durations { get; init; }

    public required string AdminKey { get; init; }

    public int PageSize { get; set; } = 100;

    /// <summary>Formats a modelled time as ARM does (round-trip, with offset).</summary>
    public static string Time(DateTimeOffset value) => value.ToString("o", CultureInfo.InvariantCulture);

    /// <summary>Runs <paramref name="action"/> under the world lock after completing due operations.</summary>
    public T Locked<T>(Func<T> action)
    {
        lock (World.Sync)
        {
            Operations.Advance();
            return action();
        }
    }

    /// <summary>The Location (and, for Compute, Azure-AsyncOperation) headers plus retry hints for a started operation.</summary>
    public IEnumerable<KeyValuePair<string, string>> OperationHeaders(ArmRequest request, LongRunningOperation op, bool asyncOperationHeader)
    {
        var status = OperationStatusUri(request.BaseUri, op, request.ApiVersion);
        if (asyncOperationHeader)
        {
            yield return new("Azure-AsyncOperation", status);
            yield return new("Location", status + "&monitor=true");
        }
        else
        {
            yield return new("Location", status);
        }

        foreach (var hint in LongRunningOperations.RetryHints(Clock, Durations.PollInterval))
        {
            yield return hint;
        }
    }

    /// <summary>The operation named by the request's last segment, if it belongs to <paramref name="ns"/> and the request's subscription; else 404.</summary>
    public LongRunningOperation FindOperation(ArmRequest request, string ns)
    {
        var op = Operations.Find(request.Names[1]);
        if (op is null || !op.Namespace.Equals(ns, StringComparison.OrdinalIgnoreCase)
            || !op.SubscriptionId.Equals(request.SubscriptionId, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArmException(404, "NotFound", $"The operation '{request.Names[1]}' was not found.");
        }

        return op;
    }

    public static string OperationStatusUri(Uri baseUri, LongRunningOperation op, string apiVersion) =>
        new Uri(baseUri, $"/subscriptions/{op.SubscriptionId}/providers/{op.Namespace}/locations/{op.Location}/operations/{op.Id}?api-version={apiVersion}").AbsoluteUri;

    /// <summary>Pages a list: <c>{"value":[...],"nextLink":...}</c> with a $skiptoken carrying the offset.</summary>
    public JsonObject Page(ArmRequest request, IReadOnlyList<JsonNode> items)
    {
        var skip = 0;
        if (request.QueryValue("$skiptoken") is { } token && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            throw new ArmException(400, "InvalidSkipToken", $"The skip token '{token}' is invalid.");
        }

        var top = request.QueryValue("$top") is { } t && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : int.MaxValue;
        var size = Math.Min(PageSize, top);
        var page = items.Skip(skip).Take(size).Select(i => i.DeepClone()).ToArray();
        var result = new JsonObject { ["value"] = new JsonArray(page) };
        if (skip + size < items.Count && top == int.MaxValue)
        {
            var query = request.Query
                .Where(q => !q.Key.Equals("$skiptoken", StringComparison.OrdinalIgnoreCase))
                .Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value))
                .Append("$skiptoken=" + (skip + size).ToString(CultureInfo.InvariantCulture));
            var path = request.PathAndQuery.Split('?')[0];
            result["nextLink"] = new Uri(request.BaseUri, path + "?" + string.Join('&', query)).AbsoluteUri;
        }

        return result;
    }
}
