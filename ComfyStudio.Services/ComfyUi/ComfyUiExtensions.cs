using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.ComfyUi;

public static class ComfyUiExtensions
{
    public static IHostApplicationBuilder AddStudioComfyUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<ComfyUiClient>((sp, http) =>
        {
            var url = sp.GetRequiredService<IOptions<StudioOptions>>().Value.ComfyUiUrl!;
            http.BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
            http.Timeout = Timeout.InfiniteTimeSpan; // each call sets its own limit
        });
        builder.Services.AddOptions<ComfyUiOptions>().BindConfiguration(ComfyUiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Generations>();
        builder.Services.AddSingleton<ComfyUiConnection>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ComfyUiConnection>());
        return builder;
    }
}
