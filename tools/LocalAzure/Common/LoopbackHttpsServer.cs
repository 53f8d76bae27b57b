using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace LocalAzure.Common;

/// <summary>A minimal Kestrel app on 127.0.0.1 over HTTPS (HTTP/1.1 and HTTP/2, no Server header): the ARM and blob fronts.</summary>
internal static class LoopbackHttpsServer
{
    /// <summary>
    /// Starts <paramref name="handler"/> on 127.0.0.1:<paramref name="port"/> (0 = any free port); returns the running app
    /// and the port it listens on. <paramref name="name"/> names the front in errors.
    /// </summary>
    public static async Task<(WebApplication App, int Port)> StartAsync(
        string name,
        int port,
        X509Certificate2 certificate,
        RequestDelegate handler,
        bool unlimitedRequestBody,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(LoopbackHttpsServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (unlimitedRequestBody)
            {
                kestrel.Limits.MaxRequestBodySize = null;
            }

            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            });
        });
        var app = builder.Build();
        try
        {
            app.Run(handler);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException($"The {name} did not report its address.");
            return (app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
