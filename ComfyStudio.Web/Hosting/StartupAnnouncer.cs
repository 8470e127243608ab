using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Presets;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Jobs;
using ComfyStudio.Services.Logging;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Settings;
using ComfyStudio.Services.Status;
using ComfyStudio.Services.Telemetry;
using ComfyStudio.Services.Updates;
using Microsoft.Extensions.FileProviders;
using ComfyStudio.Web.Api;
using ComfyStudio.Web.Api.Auth;
using ComfyStudio.Web.Api.Conventions;
using ComfyStudio.Web.Api.Errors;
using ComfyStudio.Web.Api.RateLimiting;
using ComfyStudio.Web.Components;
using ComfyStudio.Web.Components.Shared;
using ComfyStudio.Web.LiveFeed;
using Hangfire;
using MudBlazor.Services;

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
