using System.Text.Json.Nodes;
using LocalAzure.World;

namespace LocalAzure.Arm.Handlers;

/// <summary>Microsoft.Storage: storage account properties (blob endpoint = the blob front) and listKeys.</summary>
internal sealed class StorageHandlers(ArmContext context)
{
    private const string Ns = ProviderCatalog.Storage;

    public void Register(ArmRouter router)
    {
        router.Add(new("GET", RouteScope.ResourceGroup, Ns, "storageAccounts", RouteShape.Item, null, "Microsoft.Storage/storageAccounts/read", false, GetAsync));
        router.Add(new("POST", RouteScope.ResourceGroup, Ns, "storageAccounts", RouteShape.Action, "listKeys", "Microsoft.Storage/storageAccounts/listkeys/action", true, ListKeysAsync));
    }

    private Task<ArmResult> GetAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() => ArmResult.Ok(AccountJson(Find(request)))));

    private Task<ArmResult> ListKeysAsync(ArmRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(context.Locked(() =>
        {
            var account = Find(request);
            // Key 1 is the key Azurite serves the account with; key 2 is reported but not accepted.
            return ArmResult.Ok(new JsonObject
            {
                ["keys"] = new JsonArray(
                    new JsonObject { ["keyName"] = "key1", ["permissions"] = "Full", ["value"] = context.Blobs.GetAccountKey(account.Name) },
                    new JsonObject { ["keyName"] = "key2", ["permissions"] = "Full", ["value"] = account.Key2 }),
            });
        }));

    private StorageAccount Find(ArmRequest request)
    {
        var account = context.World.StorageAccounts.GetValueOrDefault(request.Names[0]);
        if (account is null || !account.SubscriptionId.Equals(request.SubscriptionId, StringComparison.OrdinalIgnoreCase)
            || !account.ResourceGroup.Equals(request.ResourceGroup, StringComparison.OrdinalIgnoreCase))
        {
            throw ArmErrors.ResourceNotFound("Microsoft.Storage/storageAccounts", request.Names[0], request.ResourceGroup!);
        }

        return account;
    }

    private JsonObject AccountJson(StorageAccount account)
    {
        var created = ArmContext.Time(account.CreationTime);
        JsonObject ServiceEncryption() => new() { ["enabled"] = true, ["keyType"] = "Account", ["lastEnabledTime"] = created };
        string Other(string service) => $"https://{account.Name}.{service}.localazure.invalid/";
        return new JsonObject
        {
            ["name"] = account.Name,
            ["type"] = "Microsoft.Storage/storageAccounts",
            ["id"] = account.Id,
            ["kind"] = "StorageV2",
            ["location"] = account.Location,
            ["properties"] = new JsonObject
            {
                ["accountMigrationInProgress"] = false,
                ["creationTime"] = created,
                ["encryption"] = new JsonObject
                {
                    ["keySource"] = "Microsoft.Storage",
                    ["services"] = new JsonObject { ["blob"] = ServiceEncryption(), ["file"] = ServiceEncryption() },
                },
                ["isHnsEnabled"] = false,
                ["isSkuConversionBlocked"] = false,
                ["keyCreationTime"] = new JsonObject { ["key1"] = created, ["key2"] = created },
                ["networkAcls"] = new JsonObject
                {
                    ["bypass"] = "AzureServices",
                    ["defaultAction"] = "Allow",
                    ["ipRules"] = new JsonArray(),
                    ["resourceAccessRules"] = new JsonArray(),
                    ["virtualNetworkRules"] = new JsonArray(),
                },
                ["primaryEndpoints"] = new JsonObject
                {
                    ["blob"] = context.Blobs.GetAccountEndpoint(account.Name).AbsoluteUri,
                    ["dfs"] = Other("dfs"),
                    ["file"] = Other("file"),
                    ["queue"] = Other("queue"),
                    ["table"] = Other("table"),
                    ["web"] = Other("web"),
                },
                ["primaryLocation"] = account.Location,
                ["provisioningState"] = "Succeeded",
                ["statusOfPrimary"] = "available",
                ["supportsHttpsTrafficOnly"] = true,
                ["allowBlobPublicAccess"] = false,
                ["minimumTlsVersion"] = "TLS1_2",
            },
            ["sku"] = new JsonObject { ["name"] = "Standard_LRS", ["tier"] = "Standard" },
            ["tags"] = Json.Tags(account.Tags),
        };
    }
}
