using ComfyStudio.Services.Downloads;
using ComfyStudio.Tests.Infrastructure;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Tests.Jobs;

/// <summary>Several hosts in one process (as in this suite) each run their jobs with their own services.</summary>
public sealed class JobActivationTests
{
    private sealed class QuietHost : StudioFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Jobs:RunServer"] = "false",
        };
    }

    [Fact]
    public async Task A_host_activates_its_jobs_from_its_own_container_even_after_another_host_configured_hangfire()
    {
        await using var first = new QuietHost();
        first.Services.GetRequiredService<IGlobalConfiguration>(); // the first host configures Hangfire…
        await using var second = new StudioFactory();
        second.Services.GetRequiredService<IGlobalConfiguration>(); // …then another host does, which moves Hangfire's static activator

        var activator = first.Services.GetRequiredService<JobActivator>();
        using var scope = activator.BeginScope((JobActivatorContext)null!);
        Assert.Same(first.Services.GetRequiredService<DownloadEngine>(), scope.Resolve(typeof(DownloadEngine)));
    }
}
