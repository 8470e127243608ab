using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Configuration;

public static class StudioConfigurationExtensions
{
    /// <summary>Binds <see cref="StudioOptions"/> from the root configuration and creates the data folders.</summary>
    public static StudioOptions AddStudioConfiguration(this IHostApplicationBuilder builder)
    {
        var options = StudioOptions.From(builder.Configuration);
        options.EnsureFolders();
        builder.Services.AddOptions<StudioOptions>()
            .Bind(builder.Configuration)
            .PostConfigure(o => o.ApplyDefaults())
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        return options;
    }
}
