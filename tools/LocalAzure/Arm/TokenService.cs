using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalAzure.World;

namespace LocalAzure.Arm;

/// <summary>
/// Issues and validates access tokens: HS256 JWTs signed with a key that lives only in this process, tied to a
/// principal, a tenant and an audience, expiring in real time (expires_in 3599 like Entra ID).
/// </summary>
internal sealed class TokenService
{
    public const int LifetimeSeconds = 3599;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Issue(Principal principal, string audience, TimeSpan lifetime, DateTimeOffset? now = null)
    {
        var issuedAt = now ?? DateTimeOffset.UtcNow;
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" };
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = $"https://sts.windows.net/{principal.TenantId}/",
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = (issuedAt + lifetime).ToUnixTimeSeconds(),
            ["appid"] = principal.ClientId,
            ["oid"] = principal.ObjectId,
            ["sub"] = principal.ObjectId,
            ["tid"] = principal.TenantId,
            ["idtyp"] = "app",
            ["ver"] = "1.0",
        };
        var unsigned = Encode(header) + "." + Encode(payload);
        return unsigned + "." + Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(unsigned)));
    }

    /// <summary>Validates a bearer token; the result says why it is not usable.</summary>
    public TokenValidation Validate(string? authorization, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return TokenValidation.Fail("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return TokenValidation.Fail("AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.");
        }

        var token = authorization["Bearer ".Length..].Trim();
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return TokenValidation.Fail("InvalidAuthenticationToken", "The access token is invalid.");
        }

        var expected = Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1])));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[2])))
        {
            return TokenValidation.Fail("InvalidAuthenticationToken", "The access token has been obtained for wrong audience or resource, or its signature is invalid.");
        }

        JsonObject payload;
        try
        {
            payload = JsonNode.Parse(FromBase64Url(parts[1]))!.AsObject();
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return TokenValidation.Fail("InvalidAuthenticationToken", "The access token is invalid.");
        }

        var exp = DateTimeOffset.FromUnixTimeSeconds(payload["exp"]!.GetValue<long>());
        if (exp <= now)
        {
            return TokenValidation.Fail(
                "ExpiredAuthenticationToken",
                $"The access token expiry UTC time '{exp.UtcDateTime:M/d/yyyy h:mm:ss tt}' is earlier than current UTC time '{now.UtcDateTime:M/d/yyyy h:mm:ss tt}'.");
        }

        var audience = payload["aud"]!.GetValue<string>();
        if (!IsManagementAudience(audience))
        {
            return TokenValidation.Fail("InvalidAuthenticationToken", $"The access token has been obtained for wrong audience or resource '{audience}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.");
        }

        return new TokenValidation(
            true, null, null, payload["tid"]!.GetValue<string>(), payload["appid"]!.GetValue<string>(), payload["oid"]!.GetValue<string>());
    }

    public static bool IsManagementAudience(string audience) =>
        audience.TrimEnd('/') is "https://management.azure.com" or "https://management.core.windows.net";

    private static string Encode(JsonObject value) => Base64Url(Encoding.UTF8.GetBytes(value.ToJsonString()));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}

internal sealed record TokenValidation(bool IsValid, string? ErrorCode, string? ErrorMessage, string? TenantId, string? ClientId, string? ObjectId)
{
    public static TokenValidation Fail(string code, string message) => new(false, code, message, null, null, null);
}
