using System.Net;
using ComfyStudio.Services.Configuration;
using Microsoft.AspNetCore.HttpOverrides;

namespace ComfyStudio.Web.Hosting;

/// <summary>
/// Behind a reverse proxy (RunPod's), every request comes from the proxy. With <c>TRUSTED_PROXIES</c> set,
/// the client address and scheme the proxy forwards are used instead, so rate limits and the login throttle
/// count each client on its own and the login cookie is Secure under HTTPS. Nobody else's headers are believed.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static WebApplication UseTrustedProxies(this WebApplication app, StudioOptions studio)
    {
        var entries = (studio.TrustedProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0) return app;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = 1,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in entries)
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry, out var network))
                options.KnownIPNetworks.Add(network);
            else if (IPAddress.TryParse(entry, out var address))
                options.KnownProxies.Add(address);
            else
                throw new InvalidOperationException($"TRUSTED_PROXIES: '{entry}' is not an IP address or CIDR range");
        }
        app.UseForwardedHeaders(options);
        return app;
    }
}
