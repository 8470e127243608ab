using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Jobs.Sqlite;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Jobs;

public static class JobsExtensions
{
    public static IHostApplicationBuilder AddStudioJobs(this IHostApplicationBuilder builder, StudioOptions studio)
    {
        var jobs = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var storage = jobs.Storage.ToLowerInvariant();
        if (storage == "sqlite")
        {
            // Owned by the container, so its heartbeats stop with the host.
            builder.Services.AddSingleton(_ => new SqliteJobStorage(studio.JobsDatabasePath,
                new SqliteJobStorageOptions { InvisibilityTimeout = jobs.InvisibilityTimeout }));
            builder.Services.AddSingleton<JobStorage>(sp =>
            {
                // Whoever asks for the storage first gets it with Hangfire configured (serializer settings).
                sp.GetRequiredService<IGlobalConfiguration>();
                return sp.GetRequiredService<SqliteJobStorage>();
            });
        }
        else if (storage == "inmemory")
        {
            builder.Services.AddSingleton<JobStorage>(new InMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromDays(7) }));
        }
        // Hangfire's own registration hands the server JobActivator.Current, a static that the last host configured
        // in this process has set: jobs of one host would then be built from another's services (several hosts
        // run side by side in the tests). Each host activates its jobs from its own container.
        builder.Services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((services, config) =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                  .UseSimpleAssemblyNameTypeSerializer()
                  .UseRecommendedSerializerSettings();
            switch (storage)
            {
                case "sqlite":
                    config.UseStorage(services.GetRequiredService<SqliteJobStorage>());
                    break;
                case "inmemory":
                    config.UseStorage(services.GetRequiredService<JobStorage>());
                    break;
                default:
                    throw new InvalidOperationException($"Unknown job storage '{jobs.Storage}' (Jobs:Storage); use Sqlite or InMemory");
            }
        });
        if (jobs.RunServer)
        {
            builder.Services.AddHangfireServer(o =>
            {
                o.WorkerCount = Math.Clamp(jobs.Workers, 1, 64);
                o.ServerName = $"comfystudio:{Environment.ProcessId}";
                o.Queues = ["critical", "default"];
            });
            // Downloads run for hours: they get workers of their own (one per allowed concurrent download and
            // more), so an update or a sync is never stuck behind them.
            builder.Services.AddHangfireServer(o =>
            {
                o.WorkerCount = Math.Clamp(jobs.DownloadWorkers, 1, 64);
                o.ServerName = $"comfystudio-downloads:{Environment.ProcessId}";
                o.Queues = ["downloads"];
            });
        }
        return builder;
    }
}
