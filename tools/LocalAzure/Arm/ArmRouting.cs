using System.Text.Json.Nodes;

namespace LocalAzure.Arm;

/// <summary>Where a route lives: under a subscription only, or under a resource group.</summary>
internal enum RouteScope
{
    /// <summary>/subscriptions, /subscriptions/{s}, resource groups, resources, providers (Microsoft.Resources).</summary>
    Resources,
    /// <summary>/subscriptions/{s}/providers/{ns}/{type}...</summary>
    Subscription,
    /// <summary>/subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}...</summary>
    ResourceGroup,
}

internal enum RouteShape
{
    /// <summary>A list: the path ends with a type.</summary>
    Collection,
    /// <summary>One resource: the path ends with a name.</summary>
    Item,
    /// <summary>A POST action or a sub-resource GET on one resource (…/{name}/{action}).</summary>
    Action,
}

internal delegate Task<ArmResult> ArmHandler(ArmRequest request, CancellationToken cancellationToken);

/// <summary>
/// One row of the routing table. <see cref="TypePath"/> is the resource type below the namespace ("labs/customimages");
/// for <see cref="RouteShape.Action"/> it is the type of the resource the action applies to. <see cref="ApiType"/>
/// names the provider type whose api-versions apply (defaults to TypePath). <see cref="Operation"/> is the ARM action
/// ("Microsoft.DevTestLab/labs/customimages/write") used by RBAC, the request log and fault rules.
/// </summary>
internal sealed record ArmRoute(
    string Method,
    RouteScope Scope,
    string Namespace,
    string TypePath,
    RouteShape Shape,
    string? ActionName,
    string Operation,
    bool IsWrite,
    ArmHandler Handler,
    string? ApiType = null)
{
    public string ApiTypePath => ApiType ?? TypePath;
}

/// <summary>A request path split into the parts ARM routes on.</summary>
internal sealed record ParsedPath(
    RouteScope Scope,
    string? SubscriptionId,
    string? ResourceGroup,
    string? Namespace,
    IReadOnlyList<string> Rest)
{
    /// <summary>Parses "/subscriptions/..." paths; null for anything ARM would not route.</summary>
    public static ParsedPath? Parse(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (segments.Length == 0 || !segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (segments.Length == 1)
        {
            return new ParsedPath(RouteScope.Resources, null, null, null, ["subscriptions"]);
        }

        var subscription = segments[1];
        if (segments.Length >= 5 && segments[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase)
            && segments[4].Equals("providers", StringComparison.OrdinalIgnoreCase))
        {
            return segments.Length < 6
                ? new ParsedPath(RouteScope.Resources, subscription, segments[3], null, [.. segments[4..]])
                : new ParsedPath(RouteScope.ResourceGroup, subscription, segments[3], segments[5], [.. segments[6..]]);
        }

        if (segments.Length >= 5 && segments[2].Equals("providers", StringComparison.OrdinalIgnoreCase))
        {
            return new ParsedPath(RouteScope.Subscription, subscription, null, segments[3], [.. segments[4..]]);
        }

        if (segments.Length >= 4 && segments[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase))
        {
            return new ParsedPath(RouteScope.Resources, subscription, segments[3], null, [.. segments[4..]]);
        }

        return new ParsedPath(RouteScope.Resources, subscription, null, null, [.. segments[2..]]);
    }
}

/// <summary>The outcome of routing: the route and the names found in the path, in type order.</summary>
internal sealed record RouteMatch(ArmRoute Route, ParsedPath Path, IReadOnlyList<string> Names);

/// <summary>
/// The routing table. Provider routes are looked up by (scope, namespace, type path, shape, action); the
/// Microsoft.Resources routes by their fixed shape. Misses are classified the way ARM classifies them.
/// </summary>
internal sealed class ArmRouter
{
    private readonly List<ArmRoute> _routes = [];

    public IReadOnlyList<ArmRoute> Routes => _routes;

    public void Add(ArmRoute route) => _routes.Add(route);

    /// <summary>Finds the route; throws the ARM error a miss deserves.</summary>
    public RouteMatch Match(string method, ParsedPath path, string? apiVersion)
    {
        if (path.Scope == RouteScope.Resources)
        {
            // Resources routes: TypePath is the fixed path shape with {} for names, e.g. "subscriptions/{}/resourcegroups/{}".
            var shape = Shape(path);
            var candidates = _routes.Where(r => r.Scope == RouteScope.Resources && r.TypePath.Equals(shape, StringComparison.OrdinalIgnoreCase)).ToList();
            if (candidates.Count == 0)
            {
                throw new ArmException(404, "NotFound", $"The requested path '{string.Join('/', path.Rest)}' is not a route of Microsoft.Resources.");
            }

            var route = candidates.FirstOrDefault(r => r.Method.Equals(method, StringComparison.OrdinalIgnoreCase))
                ?? throw ArmErrors.MethodNotAllowed(method);
            return new RouteMatch(route, path, []);
        }

        var provider = ProviderCatalog.Find(path.Namespace!)
            ?? throw ArmErrors.InvalidResourceNamespace(path.Namespace!);
        var rest = path.Rest;
        if (rest.Count == 0)
        {
            throw ArmErrors.InvalidResourceType(string.Empty, provider.Namespace, apiVersion ?? string.Empty);
        }

        var types = new List<string>();
        var names = new List<string>();
        for (var i = 0; i < rest.Count; i++)
        {
            (i % 2 == 0 ? types : names).Add(rest[i]);
        }

        var typePath = string.Join('/', types);
        IEnumerable<ArmRoute> matches;
        if (rest.Count % 2 == 0)
        {
            matches = Find(path.Scope, provider.Namespace, typePath, RouteShape.Item, null);
        }
        else
        {
            var parentType = string.Join('/', types.Take(types.Count - 1));
            var actions = rest.Count > 1
                ? Find(path.Scope, provider.Namespace, parentType, RouteShape.Action, types[^1]).ToList()
                : [];
            matches = actions.Count > 0 ? actions : Find(path.Scope, provider.Namespace, typePath, RouteShape.Collection, null);
        }

        var list = matches.ToList();
        if (list.Count == 0)
        {
            throw ArmErrors.InvalidResourceType(typePath, provider.Namespace, apiVersion ?? string.Empty);
        }

        var match = list.FirstOrDefault(r => r.Method.Equals(method, StringComparison.OrdinalIgnoreCase))
            ?? throw ArmErrors.MethodNotAllowed(method);
        return new RouteMatch(match, path, names);
    }

    private IEnumerable<ArmRoute> Find(RouteScope scope, string @namespace, string typePath, RouteShape shape, string? action) =>
        _routes.Where(r => r.Scope == scope && r.Shape == shape
            && r.Namespace.Equals(@namespace, StringComparison.OrdinalIgnoreCase)
            && r.TypePath.Equals(typePath, StringComparison.OrdinalIgnoreCase)
            && (action is null || string.Equals(r.ActionName, action, StringComparison.OrdinalIgnoreCase)));

    private static string Shape(ParsedPath path)
    {
        var parts = new List<string>();
        if (path.SubscriptionId is null)
        {
            return "subscriptions";
        }

        parts.Add("subscriptions");
        parts.Add("{}");
        if (path.ResourceGroup is not null)
        {
            parts.Add("resourcegroups");
            parts.Add("{}");
        }

        for (var i = 0; i < path.Rest.Count; i++)
        {
            // providers/{namespace} keeps its literal first segment and a placeholder for the namespace.
            parts.Add(i % 2 == 1 && path.Rest[0].Equals("providers", StringComparison.OrdinalIgnoreCase) ? "{}" : path.Rest[i].ToLowerInvariant());
        }

        return string.Join('/', parts);
    }
}

/// <summary>Everything a handler gets about one authenticated, authorised request.</summary>
internal sealed class ArmRequest
{
    public required RouteMatch Match { get; init; }

    public required string Method { get; init; }

    public required string ApiVersion { get; init; }

    public required Uri BaseUri { get; init; }

    public required string PathAndQuery { get; init; }

    public required IReadOnlyDictionary<string, string> Query { get; init; }

    public required World.Principal Principal { get; init; }

    public JsonNode? Body { get; init; }

    /// <summary>A fault rule that fired for this request and that the handler applies (LongRunningOperationFailed).</summary>
    public Common.FaultRule? Fault { get; init; }

    public string? SubscriptionId => Match.Path.SubscriptionId;

    public string? ResourceGroup => Match.Path.ResourceGroup;

    public IReadOnlyList<string> Names => Match.Names;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) ? value : null;
}
