using ComfyStudio.Services.Versions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Status;

public static class StatusExtensions
{
    public static IHostApplicationBuilder AddStudioStatus(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StudioUptime>();
        builder.Services.AddSingleton<LocalVersion>();
        builder.Services.AddSingleton<ComponentFigures>();
        builder.Services.AddSingleton<DatabaseFigures>();
        builder.Services.AddTransient<StudioStatus>();
        return builder;
    }
}
