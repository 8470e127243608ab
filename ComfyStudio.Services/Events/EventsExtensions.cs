using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Events;

public static class EventsExtensions
{
    public static IHostApplicationBuilder AddStudioEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EventBus>();
        builder.Services.AddSingleton<EventLog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventLog>());
        return builder;
    }
}
