using ComfyStudio.Services.Configuration;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Presets;

/// <summary>Registry settings (section <c>Presets</c>).</summary>
public sealed class PresetOptions
{
    /// <summary>Cron of the daily registry sync (empty: no recurring sync).</summary>
    public string SyncCron { get; set; } = "17 4 * * *";

    /// <summary>With <c>REGISTRY_URL</c> set, sync at start when the catalog in use is not from it yet.</summary>
    public bool SyncAtStart { get; set; } = true;
}

public static class PresetsExtensions
{
    public static IHostApplicationBuilder AddStudioPresets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PresetOptions>().BindConfiguration("Presets").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PresetCatalogStore>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PresetCatalogStore>());
        builder.Services.AddHttpClient(nameof(RegistrySync), c => c.Timeout = TimeSpan.FromSeconds(60));
        builder.Services.AddTransient<RegistrySync>();
        builder.Services.AddHostedService<RegistrySyncSchedule>();
        builder.Services.AddSingleton<PresetStates>();
        builder.Services.AddSingleton<PresetInstaller>();
        builder.Services.AddHostedService<PresetInstallTracker>();
        builder.Services.AddSingleton<GpuRecommendations>();
        return builder;
    }
}

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
