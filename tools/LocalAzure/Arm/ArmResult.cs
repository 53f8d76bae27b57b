using System.Text.Json.Nodes;

namespace LocalAzure.Arm;

/// <summary>What a handler answers: status, optional JSON body, extra headers.</summary>
internal sealed class ArmResult
{
    private ArmResult(int status, JsonNode? body)
    {
        Status = status;
        Body = body;
    }

    public int Status { get; }

    public JsonNode? Body { get; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static ArmResult Ok(JsonNode? body) => new(200, body);

    public static ArmResult Created(JsonNode? body) => new(201, body);

    public static ArmResult Accepted() => new(202, null);

    public static ArmResult NoContent() => new(204, null);

    public static ArmResult WithStatus(int status, JsonNode? body) => new(status, body);

    public ArmResult With(string header, string value)
    {
        Headers[header] = value;
        return this;
    }

    public ArmResult With(IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach (var (name, value) in headers)
        {
            Headers[name] = value;
        }

        return this;
    }
}
