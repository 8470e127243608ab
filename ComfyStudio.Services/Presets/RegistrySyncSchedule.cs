using ComfyStudio.Services.Configuration;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Presets;

/// <summary>
/// Schedules the recurring registry sync (or removes it when <c>Presets:SyncCron</c> is empty). With
/// <c>REGISTRY_URL</c> set and no catalog synced from it yet (a first start, or a new URL), a sync runs at once,
/// so the catalog is that registry's, not the built-in snapshot.
/// </summary>
internal sealed class RegistrySyncSchedule(
    IServiceProvider services, IOptions<PresetOptions> options, IOptions<StudioOptions> studio, PresetCatalogStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService(typeof(IRecurringJobManager)) is not IRecurringJobManager recurring) return Task.CompletedTask;
        if (string.IsNullOrWhiteSpace(options.Value.SyncCron)) recurring.RemoveIfExists(RegistrySync.RecurringJobId);
        else recurring.AddOrUpdate<RegistrySync>(RegistrySync.RecurringJobId, s => s.RunAsync(CancellationToken.None), options.Value.SyncCron);
        if (options.Value.SyncAtStart && !string.IsNullOrWhiteSpace(studio.Value.RegistryUrl) && services.GetService(typeof(IBackgroundJobClient)) is IBackgroundJobClient jobs
            && store.State.Source != RegistrySync.IndexOf(RegistrySync.SourceFor(studio.Value.RegistryUrl)))
            jobs.Enqueue<RegistrySync>(s => s.RunAsync(CancellationToken.None));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
