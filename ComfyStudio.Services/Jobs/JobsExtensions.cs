using ComfyStudio.Services.Configuration;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Jobs;

/// <summary>Hangfire settings (section <c>Jobs</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";
    /// <summary>Which job storage: <c>InMemory</c> (until the SQLite storage lands).</summary>
    public string Storage { get; set; } = "InMemory";
    /// <summary>Worker threads of the in-process Hangfire server.</summary>
    public int Workers { get; set; } = 4;
    /// <summary>Run the Hangfire server in this process (tests of the API alone may turn it off).</summary>
    public bool RunServer { get; set; } = true;
}

public static class JobsExtensions
{
    public static IHostApplicationBuilder AddStudioJobs(this IHostApplicationBuilder builder, StudioOptions studio)
    {
        var jobs = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section);
        builder.Services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                  .UseSimpleAssemblyNameTypeSerializer()
                  .UseRecommendedSerializerSettings();
            switch (jobs.Storage.ToLowerInvariant())
            {
                case "inmemory":
                    config.UseInMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromDays(7) });
                    break;
                default:
                    throw new InvalidOperationException($"Unknown job storage '{jobs.Storage}' (Jobs:Storage); use InMemory");
            }
        });
        if (jobs.RunServer)
            builder.Services.AddHangfireServer(o =>
            {
                o.WorkerCount = Math.Clamp(jobs.Workers, 1, 64);
                o.ServerName = $"comfystudio:{Environment.ProcessId}";
                o.Queues = ["critical", "default", "downloads"];
            });
        return builder;
    }
}
