using System.Text.Json.Nodes;

namespace LocalAzure.Arm.Handlers;

internal static class Json
{
    public static JsonObject Tags(IReadOnlyDictionary<string, string> tags) =>
        new([.. tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => KeyValuePair.Create(t.Key, (JsonNode?)JsonValue.Create(t.Value)))]);

    /// <summary>Reads a "tags" object from a request body; null when absent.</summary>
    public static Dictionary<string, string>? ReadTags(JsonNode? body)
    {
        if (body?["tags"] is not JsonObject tags)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in tags)
        {
            result[name] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? string.Empty;
        }

        return result;
    }

    public static string? String(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static JsonArray Array(IEnumerable<JsonNode> items) => new([.. items]);
}
