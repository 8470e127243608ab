using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Tests.Fakes;

/// <summary>A real Kestrel server on a free loopback port, for the fakes the tests talk to over HTTP.</summary>
public static class LoopbackServer
{
    /// <summary>Builds, configures and starts the server; answers it with its base URL (no trailing slash).</summary>
    public static async Task<(WebApplication App, string Url)> StartAsync(Action<WebApplication> configure, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        configure(app);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }
}
