using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Events;

namespace ComfyStudio.Web.Hosting;

/// <summary>Says where the app listens once it does, and records the start as an event.</summary>
internal sealed class StartupAnnouncer(
    IHostApplicationLifetime lifetime, Microsoft.AspNetCore.Hosting.Server.IServer server, EventBus bus,
    ApiKeyStore keys, ILogger<StartupAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                var open = address.Replace("0.0.0.0", "localhost").Replace("[::]", "localhost").Replace("+", "localhost").Replace("*", "localhost");
                if (open == address) logger.LogInformation("ComfyStudio {Version} is ready: open {Url}", StudioVersion.Current, open);
                else logger.LogInformation("ComfyStudio {Version} is ready, listening on {Address}: open {Url} (or this machine's address)", StudioVersion.Current, address, open);
            }
            logger.LogInformation("API key: {Source} (reveal it from Settings or with the key itself)", keys.PrimarySource);
            bus.Publish(new BackendStarted(StudioVersion.Current));
            if (keys.LastLoad is { Generated: not null } load)
                // After the host's own start-up lines (they follow this callback), where it stays in view.
                _ = Task.Delay(TimeSpan.FromMilliseconds(300)).ContinueWith(_ => PrimaryKeyBanner.Write(Console.Out, load), TaskScheduler.Default);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
