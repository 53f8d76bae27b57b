using LocalAzure.World;

namespace LocalAzure.Arm;

/// <summary>Role-based access: Reader reads, Contributor and Owner read and write, at subscription or resource-group scope.</summary>
internal static class AccessControl
{
    public static bool HasAnyAssignment(Principal principal, string subscriptionId) =>
        principal.Roles.Any(r => ScopeSubscription(r.Scope).Equals(subscriptionId, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when an assignment covering the subscription (or the group, when given) allows the action.</summary>
    public static bool IsAllowed(Principal principal, string subscriptionId, string? resourceGroup, bool isWrite) =>
        principal.Roles.Any(r => Covers(r.Scope, subscriptionId, resourceGroup) && (!isWrite || r.Role != RoleName.Reader));

    public static bool CanRead(Principal principal, string subscriptionId, string resourceGroup) =>
        IsAllowed(principal, subscriptionId, resourceGroup, isWrite: false);

    public static ArmException Denied(Principal principal, string action, string scope) =>
        new(403, "AuthorizationFailed",
            $"The client '{principal.ClientId}' with object id '{principal.ObjectId}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.");

    private static bool Covers(string scope, string subscriptionId, string? resourceGroup)
    {
        var parts = scope.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (!parts[1].Equals(subscriptionId, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return parts.Length == 2 || (resourceGroup is not null && parts[3].Equals(resourceGroup, StringComparison.OrdinalIgnoreCase));
    }

    private static string ScopeSubscription(string scope) => scope.Split('/', StringSplitOptions.RemoveEmptyEntries)[1];
}
