using System.Globalization;
using System.Security;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LocalAzure.Blobs;

/// <summary>Error responses in the Blob service's format: status, x-ms-error-code and an XML &lt;Error&gt; body.</summary>
internal static class StorageErrors
{
    public const string DefaultVersion = "2026-02-06";

    public static async Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        var requestId = Guid.NewGuid().ToString();
        var response = context.Response;
        response.StatusCode = status;
        response.Headers["x-ms-error-code"] = code;
        response.Headers["x-ms-request-id"] = requestId;
        response.Headers["x-ms-version"] = VersionOf(context);
        if (context.Request.Headers.TryGetValue("x-ms-client-request-id", out var clientRequestId))
        {
            response.Headers["x-ms-client-request-id"] = clientRequestId;
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var body = Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}\nRequestId:{requestId}\nTime:{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffffffZ}</Message></Error>"));
        response.ContentType = "application/xml";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    public static string VersionOf(HttpContext context) =>
        context.Request.Headers.TryGetValue("x-ms-version", out var version) && version.Count > 0 && !string.IsNullOrEmpty(version[0])
            ? version[0]!
            : DefaultVersion;
}
