using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Presets;

/// <summary>Records an install when its download completes with every file of the preset verified.</summary>
internal sealed class PresetInstallTracker(EventBus bus, PresetInstaller installer, ILogger<PresetInstallTracker> logger) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.SubscribeDurable<DownloadCompleted>(async e =>
        {
            if (e.PresetId is null) return;
            try
            {
                await installer.RecordCompletionAsync(e.PresetId, CancellationToken.None);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
            {
                logger.LogWarning(ex, "Could not record the install of preset {Preset}", e.PresetId);
            }
        }); // durable: an install record must never be lost to a flood of progress ticks
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
