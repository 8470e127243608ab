using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Updates;

public static class UpdatesExtensions
{
    /// <summary>The self-update: staging clone, deployer, maintenance mode, the update and check jobs.</summary>
    public static IHostApplicationBuilder AddStudioUpdates(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReleaseRepository>();
        builder.Services.AddSingleton<ComponentDeployer>();
        builder.Services.AddSingleton<MaintenanceMode>();
        builder.Services.AddSingleton<DatabaseBackup>();
        builder.Services.AddSingleton<UpdateNotice>();
        builder.Services.AddSingleton<UpdateRuns>();
        builder.Services.AddSingleton<UpdatePreferences>();
        builder.Services.AddTransient<StudioUpdater>();
        builder.Services.AddTransient<UpdateCheck>();
        builder.Services.AddHostedService<UpdatesStartup>();
        return builder;
    }
}
