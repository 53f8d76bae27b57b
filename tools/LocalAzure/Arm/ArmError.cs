using System.Text.Json.Nodes;

namespace LocalAzure.Arm;

/// <summary>An ARM error: thrown by handlers, written as <c>{"error":{"code","message"}}</c>.</summary>
internal sealed class ArmException : Exception
{
    public ArmException(int status, string code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    public ArmException()
        : this(500, "InternalServerError", "An internal error occurred.")
    {
    }

    public ArmException(string message)
        : this(500, "InternalServerError", message)
    {
    }

    public ArmException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 500;
        Code = "InternalServerError";
    }

    public int Status { get; }

    public string Code { get; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static JsonObject Body(string code, string message) =>
        new() { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
}

/// <summary>The errors ARM and the resource providers answer with, worded as they word them.</summary>
internal static class ArmErrors
{
    public static ArmException ResourceNotFound(string type, string name, string group) =>
        new(404, "ResourceNotFound", $"The Resource '{type}/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");

    public static ArmException ParentResourceNotFound(string parentType, string parentName, string childType) =>
        new(404, "ParentResourceNotFound", $"Failed to perform '{childType}' on resource(s) of type '{childType}', because the parent resource '{parentType}/{parentName}' could not be found.");

    public static ArmException ResourceGroupNotFound(string group) =>
        new(404, "ResourceGroupNotFound", $"Resource group '{group}' could not be found.");

    public static ArmException SubscriptionNotFound(string subscription) =>
        new(404, "SubscriptionNotFound", $"The subscription '{subscription}' could not be found.");

    public static ArmException MissingApiVersion() =>
        new(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");

    public static ArmException InvalidApiVersion(string version, IEnumerable<string> supported) =>
        new(400, "InvalidApiVersionParameter", $"The api-version '{version}' is invalid. The supported versions are '{string.Join(",", supported)}'.");

    public static ArmException NoRegisteredProvider(string location, string version, string type, IEnumerable<string> supported, IEnumerable<string> locations) =>
        new(400, "NoRegisteredProviderFound", $"No registered resource provider found for location '{location}' and API version '{version}' for type '{type}'. The supported api-versions are '{string.Join(", ", supported)}'. The supported locations are '{string.Join(", ", locations)}'.");

    public static ArmException InvalidResourceType(string type, string @namespace, string version) =>
        new(404, "InvalidResourceType", $"The resource type '{type}' could not be found in the namespace '{@namespace}' for api version '{version}'.");

    public static ArmException InvalidResourceNamespace(string @namespace) =>
        new(404, "InvalidResourceNamespace", $"The resource namespace '{@namespace}' is invalid.");

    public static ArmException MethodNotAllowed(string method) =>
        new(405, "MethodNotAllowed", $"The requested resource does not support http method '{method}'.");

    public static ArmException InvalidRequestContent(string message) =>
        new(400, "InvalidRequestContent", message);

    public static ArmException Conflict(string code, string message) => new(409, code, message);
}
