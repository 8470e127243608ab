using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Models;

public static class ModelsExtensions
{
    public static IHostApplicationBuilder AddStudioModels(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ModelLibrary>();
        builder.Services.AddHostedService<ModelWatcher>();
        builder.Services.AddTransient<ModelValidationJob>();
        return builder;
    }
}
