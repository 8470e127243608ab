using ComfyStudio.Services.Configuration;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Presets;

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
