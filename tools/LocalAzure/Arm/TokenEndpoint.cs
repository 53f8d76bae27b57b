using System.Text.Json.Nodes;
using LocalAzure.Common;
using LocalAzure.World;
using Microsoft.AspNetCore.Http;

namespace LocalAzure.Arm;

/// <summary>
/// <c>POST /{tenant}/oauth2/v2.0/token</c>, client credentials only, answering like Entra ID (AADSTS errors), so
/// ClientSecretCredential and EnvironmentCredential work with AuthorityHost pointed here.
/// </summary>
internal sealed class TokenEndpoint(ArmContext context)
{
    public async Task HandleAsync(HttpContext http, string tenant)
    {
        string? clientId = null;
        var status = 500;
        try
        {
            if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.HasFormContentType)
            {
                status = 400;
                await WriteErrorAsync(http, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.", 900144).ConfigureAwait(false);
                return;
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            clientId = form["client_id"].FirstOrDefault();
            var secret = form["client_secret"].FirstOrDefault();
            var scope = form["scope"].FirstOrDefault() ?? string.Empty;
            var grant = form["grant_type"].FirstOrDefault();
            if (grant != "client_credentials")
            {
                status = 400;
                await WriteErrorAsync(http, 400, "unsupported_grant_type", $"AADSTS70003: The app requested an unsupported grant type '{grant}'.", 70003).ConfigureAwait(false);
                return;
            }

            Principal? principal;
            lock (context.World.Sync)
            {
                principal = context.World.Principals.FirstOrDefault(p =>
                    p.TenantId.Equals(tenant, StringComparison.OrdinalIgnoreCase) && p.ClientId.Equals(clientId, StringComparison.OrdinalIgnoreCase));
            }

            if (principal is null)
            {
                status = 400;
                await WriteErrorAsync(http, 400, "unauthorized_client", $"AADSTS700016: Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", 700016).ConfigureAwait(false);
                return;
            }

            if (!string.Equals(principal.ClientSecret, secret, StringComparison.Ordinal))
            {
                status = 401;
                await WriteErrorAsync(http, 401, "invalid_client", $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.", 7000215).ConfigureAwait(false);
                return;
            }

            if (!scope.EndsWith("/.default", StringComparison.Ordinal))
            {
                status = 400;
                await WriteErrorAsync(http, 400, "invalid_scope", $"AADSTS1002012: The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", 1002012).ConfigureAwait(false);
                return;
            }

            var audience = scope[..^"/.default".Length];
            if (audience.EndsWith('/'))
            {
                audience = audience.TrimEnd('/') + "/";
            }

            var token = context.Tokens.Issue(principal, audience, TimeSpan.FromSeconds(TokenService.LifetimeSeconds));
            var body = new JsonObject
            {
                ["token_type"] = "Bearer",
                ["expires_in"] = TokenService.LifetimeSeconds,
                ["ext_expires_in"] = TokenService.LifetimeSeconds,
                ["access_token"] = token,
            };
            status = 200;
            http.Response.Headers.CacheControl = "no-store, no-cache";
            await ArmFront.WriteAsync(http, 200, body, new Dictionary<string, string>()).ConfigureAwait(false);
        }
        finally
        {
            context.Log.Record(new RequestLogEntry(
                DateTimeOffset.UtcNow, "token", http.Request.Method, http.Request.Path.Value ?? "/", status, clientId, null,
                "oauth2/token", false));
        }
    }

    public static Task HandleOpenIdConfigurationAsync(HttpContext http, string tenant)
    {
        var issuerBase = $"{http.Request.Scheme}://{http.Request.Host}/{tenant}";
        var body = new JsonObject
        {
            ["token_endpoint"] = issuerBase + "/oauth2/v2.0/token",
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post"),
            ["issuer"] = $"https://login.microsoftonline.com/{tenant}/v2.0",
            ["authorization_endpoint"] = issuerBase + "/oauth2/v2.0/authorize",
            ["tenant_region_scope"] = "EU",
        };
        return ArmFront.WriteAsync(http, 200, body, new Dictionary<string, string>());
    }

    private static Task WriteErrorAsync(HttpContext http, int status, string error, string description, int code)
    {
        var now = DateTime.UtcNow;
        var body = new JsonObject
        {
            ["error"] = error,
            ["error_description"] = description + $"\r\nTrace ID: {Guid.NewGuid()}\r\nCorrelation ID: {Guid.NewGuid()}\r\nTimestamp: {now:yyyy-MM-dd HH:mm:ssZ}",
            ["error_codes"] = new JsonArray(code),
            ["timestamp"] = $"{now:yyyy-MM-dd HH:mm:ssZ}",
            ["trace_id"] = Guid.NewGuid().ToString(),
            ["correlation_id"] = Guid.NewGuid().ToString(),
        };
        return ArmFront.WriteAsync(http, status, body, new Dictionary<string, string>());
    }
}
