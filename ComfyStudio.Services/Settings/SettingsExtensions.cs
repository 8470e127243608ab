using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Settings;

public static class SettingsExtensions
{
    /// <summary>Runtime settings, loaded from the database at start (after the schema is ready).</summary>
    public static IHostApplicationBuilder AddStudioSettings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StudioSettings>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StudioSettings>());
        return builder;
    }
}
