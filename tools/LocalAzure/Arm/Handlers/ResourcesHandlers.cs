using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalAzure.World;

namespace LocalAzure.Arm.Handlers;

/// <summary>Microsoft.Resources: subscriptions, resource groups, the generic resource list and provider documents.</summary>
internal sealed partial class ResourcesHandlers(ArmContext context)
{
    public void Register(ArmRouter router)
    {
        router.Add(Route("subscriptions", "Microsoft.Resources/subscriptions/read", ListSubscriptionsAsync));
        router.Add(Route("subscriptions/{}", "Microsoft.Resources/subscriptions/read", GetSubscriptionAsync));
        router.Add(Route("subscriptions/{}/resourcegroups", "Microsoft.Resources/subscriptions/resourceGroups/read", ListGroupsAsync));
        router.Add(Route("subscriptions/{}/resourcegroups/{}", "Microsoft.Resources/subscriptions/resourceGroups/read", GetGroupAsync));
        router.Add(Route("subscriptions/{}/resources", "Microsoft.Resources/subscriptions/resources/read", ListResourcesAsync));
        router.Add(Route("subscriptions/{}/resourcegroups/{}/resources", "Microsoft.Resources/subscriptions/resourceGroups/resources/read", ListResourcesAsync));
        router.Add(Route("subscriptions/{}/providers", "Microsoft.Resources/subscriptions/providers/read", ListProvidersAsync));
        router.Add(Route("subscriptions/{}/providers/{}", "Microsoft.Resources/subscriptions/providers/read", GetProviderAsync));
    }

    private static ArmRoute Route(string shape, string operation, ArmHandler handler) =>
        new("GET", RouteScope.Resources, ProviderCatalog.Resources, shape, RouteShape.Item, null, operation, false, handler);

    private Task<ArmResult> ListSubscriptionsAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var visible = context.World.Subscriptions.Values
                .Where(s => s.TenantId.Equals(request.Principal.TenantId, StringComparison.OrdinalIgnoreCase)
                    && AccessControl.HasAnyAssignment(request.Principal, s.Id))
                .OrderBy(s => s.Id, StringComparer.Ordinal)
                .Select(Subscription)
                .ToList();
            var page = context.Page(request, visible);
            page["count"] = new JsonObject { ["type"] = "Total", ["value"] = visible.Count };
            return ArmResult.Ok(page);
        }));

    private Task<ArmResult> GetSubscriptionAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() => ArmResult.Ok(Subscription(context.World.Subscriptions[request.SubscriptionId!]))));

    private Task<ArmResult> ListGroupsAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() => ArmResult.Ok(context.Page(request, [.. context.World.ResourceGroups.Values
            .Where(g => g.SubscriptionId.Equals(request.SubscriptionId, StringComparison.OrdinalIgnoreCase)
                && AccessControl.CanRead(request.Principal, g.SubscriptionId, g.Name))
            .OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase)
            .Select(Group)]))));

    private Task<ArmResult> GetGroupAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var group = context.World.FindGroup(request.SubscriptionId!, request.ResourceGroup!)
                ?? throw ArmErrors.ResourceGroupNotFound(request.ResourceGroup!);
            return ArmResult.Ok(Group(group));
        }));

    private Task<ArmResult> ListResourcesAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            if (request.ResourceGroup is { } g && context.World.FindGroup(request.SubscriptionId!, g) is null)
            {
                throw ArmErrors.ResourceGroupNotFound(g);
            }

            var filter = ResourceFilter.Parse(request.QueryValue("$filter"));
            var items = AllResources(request.SubscriptionId!)
                .Where(r => AccessControl.CanRead(request.Principal, request.SubscriptionId!, r.Group))
                .Where(r => request.ResourceGroup is null || r.Group.Equals(request.ResourceGroup, StringComparison.OrdinalIgnoreCase))
                .Where(r => filter.Matches(r.Type, r.Group, r.Name))
                .OrderBy(r => r.Body["id"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase)
                .Select(r => (JsonNode)r.Body)
                .ToList();
            return ArmResult.Ok(context.Page(request, items));
        }));

    private Task<ArmResult> ListProvidersAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(ArmResult.Ok(new JsonObject
        {
            ["value"] = Json.Array(ProviderCatalog.Providers.Select(p => (JsonNode)Provider(request.SubscriptionId!, p))),
        }));

    private Task<ArmResult> GetProviderAsync(ArmRequest request, CancellationToken cancellationToken)
    {
        var name = request.Match.Path.Rest[1];
        var provider = ProviderCatalog.Find(name)
            ?? throw new ArmException(404, "InvalidResourceNamespace", $"The resource namespace '{name}' is invalid.");
        return Task.FromResult(ArmResult.Ok(Provider(request.SubscriptionId!, provider)));
    }

    private IEnumerable<(string Type, string Group, string Name, JsonObject Body)> AllResources(string subscriptionId)
    {
        var world = context.World;
        foreach (var lab in world.Labs.Values.Where(l => l.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase)))
        {
            yield return ("Microsoft.DevTestLab/labs", lab.ResourceGroup, lab.Name, Generic(lab.Id, lab.Name, "Microsoft.DevTestLab/labs", lab.Location, lab.Tags));
            foreach (var vm in lab.Vms.Values)
            {
                yield return ("Microsoft.DevTestLab/labs/virtualMachines", lab.ResourceGroup, lab.Name + "/" + vm.Name,
                    Generic(vm.Id, lab.Name + "/" + vm.Name, "Microsoft.DevTestLab/labs/virtualMachines", lab.Location, vm.Tags));
            }
        }

        foreach (var account in world.StorageAccounts.Values.Where(a => a.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase)))
        {
            var body = Generic(account.Id, account.Name, "Microsoft.Storage/storageAccounts", account.Location, account.Tags);
            body["kind"] = "StorageV2";
            body["sku"] = new JsonObject { ["name"] = "Standard_LRS", ["tier"] = "Standard" };
            yield return ("Microsoft.Storage/storageAccounts", account.ResourceGroup, account.Name, body);
        }

        foreach (var vm in world.ComputeVms.Values.Where(v => v.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase)))
        {
            yield return ("Microsoft.Compute/virtualMachines", vm.ResourceGroup, vm.Name, Generic(vm.Id, vm.Name, "Microsoft.Compute/virtualMachines", vm.Location, vm.Tags));
        }

        foreach (var disk in world.Disks.Values.Where(d => d.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase)))
        {
            var body = Generic(disk.Id, disk.Name, "Microsoft.Compute/disks", disk.Location, new Dictionary<string, string>());
            body["managedBy"] = disk.ManagedBy;
            body["sku"] = new JsonObject { ["name"] = "StandardSSD_LRS", ["tier"] = "Standard" };
            yield return ("Microsoft.Compute/disks", disk.ResourceGroup, disk.Name, body);
        }
    }

    private static JsonObject Generic(string id, string name, string type, string location, IReadOnlyDictionary<string, string> tags) => new()
    {
        ["id"] = id,
        ["name"] = name,
        ["type"] = type,
        ["location"] = location,
        ["tags"] = Json.Tags(tags),
    };

    private static JsonNode Subscription(Subscription s) => new JsonObject
    {
        ["id"] = "/subscriptions/" + s.Id,
        ["authorizationSource"] = "RoleBased",
        ["managedByTenants"] = new JsonArray(),
        ["subscriptionId"] = s.Id,
        ["tenantId"] = s.TenantId,
        ["displayName"] = s.DisplayName,
        ["state"] = "Enabled",
        ["subscriptionPolicies"] = new JsonObject
        {
            ["locationPlacementId"] = "Public_2014-09-01",
            ["quotaId"] = "PayAsYouGo_2014-09-01",
            ["spendingLimit"] = "Off",
        },
    };

    private static JsonNode Group(ResourceGroup g)
    {
        var body = new JsonObject
        {
            ["id"] = g.Id,
            ["name"] = g.Name,
            ["type"] = "Microsoft.Resources/resourceGroups",
            ["location"] = g.Location,
            ["tags"] = Json.Tags(g.Tags),
            ["properties"] = new JsonObject { ["provisioningState"] = "Succeeded" },
        };
        if (g.ManagedBy is not null)
        {
            body["managedBy"] = g.ManagedBy;
        }

        return body;
    }

    private static JsonObject Provider(string subscriptionId, ProviderNamespace provider) => new()
    {
        ["id"] = $"/subscriptions/{subscriptionId}/providers/{provider.Namespace}",
        ["namespace"] = provider.Namespace,
        ["registrationState"] = "Registered",
        ["registrationPolicy"] = "RegistrationRequired",
        ["resourceTypes"] = Json.Array(provider.ResourceTypes.Select(t => (JsonNode)new JsonObject
        {
            ["resourceType"] = t.ResourceType,
            ["locations"] = new JsonArray("West Europe", "North Europe", "East US", "West US"),
            ["apiVersions"] = new JsonArray([.. t.ApiVersions.Select(v => (JsonNode)JsonValue.Create(v))]),
            ["capabilities"] = "None",
        })),
    };

    /// <summary>The $filter subset ARM clients use: resourceType/resourceGroup/name eq '...', joined by and/or.</summary>
    private sealed partial class ResourceFilter
    {
        private readonly List<List<(string Field, string Value)>> _alternatives = [];

        public static ResourceFilter Parse(string? filter)
        {
            var result = new ResourceFilter();
            if (string.IsNullOrWhiteSpace(filter))
            {
                return result;
            }

            foreach (var alternative in OrPattern().Split(filter))
            {
                var terms = new List<(string, string)>();
                foreach (var term in AndPattern().Split(alternative))
                {
                    var m = TermPattern().Match(term.Trim().Trim('(', ')'));
                    if (!m.Success)
                    {
                        throw new ArmException(400, "InvalidFilterInQueryString", $"The $filter '{filter}' is not supported. Use resourceType eq '...', resourceGroup eq '...' or name eq '...' joined by 'and'/'or'.");
                    }

                    terms.Add((m.Groups[1].Value.ToLowerInvariant(), m.Groups[2].Value));
                }

                result._alternatives.Add(terms);
            }

            return result;
        }

        public bool Matches(string type, string group, string name) =>
            _alternatives.Count == 0 || _alternatives.Any(terms => terms.All(t => t.Field switch
            {
                "resourcetype" => t.Value.Equals(type, StringComparison.OrdinalIgnoreCase),
                "resourcegroup" => t.Value.Equals(group, StringComparison.OrdinalIgnoreCase),
                _ => t.Value.Equals(name, StringComparison.OrdinalIgnoreCase),
            }));

        [GeneratedRegex("\\s+or\\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
        private static partial Regex OrPattern();

        [GeneratedRegex("\\s+and\\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
        private static partial Regex AndPattern();

        [GeneratedRegex("^(resourceType|resourceGroup|name)\\s+eq\\s+'([^']*)'$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
        private static partial Regex TermPattern();
    }
}
