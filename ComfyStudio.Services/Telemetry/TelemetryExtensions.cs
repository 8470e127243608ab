using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// Telemetry: <see cref="TelemetryOptions"/> (section <c>Telemetry</c>), the <see cref="TelemetryReader"/>, the
    /// <see cref="TelemetrySampler"/> (one instance, both a singleton and a hosted service) and the
    /// <c>runpod</c> HTTP client. Needs <c>StudioOptions</c> and the <c>EventBus</c> registered.
    /// </summary>
    public static IHostApplicationBuilder AddStudioTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(TelemetryReader.RunPodHttpClient, c => c.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<TelemetryReader>();
        builder.Services.AddSingleton<TelemetrySampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TelemetrySampler>());
        return builder;
    }
}
