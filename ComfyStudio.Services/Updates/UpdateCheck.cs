using System.ComponentModel;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Versions;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>The recurring check (every <c>UPDATE_CHECK_HOURS</c>): fetches the release and announces newer components once per release commit.</summary>
public sealed class UpdateCheck(ReleaseRepository repository, UpdateNotice notice, LocalVersion local, EventBus bus, ILogger<UpdateCheck> logger)
{
    public const string RecurringJobId = "check-for-updates";

    [DisplayName("Check the release repository for updates")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken ct)
    {
        var fetched = await repository.FetchAsync(ct);
        var isNew = notice.Record(fetched);
        var available = notice.Newer(fetched.Manifest, local.Read());
        if (available.Count > 0 && isNew)
        {
            logger.LogInformation("Update available: {Version} ({Components})", fetched.Manifest.AppVersion, available);
            bus.Publish(new UpdateAvailable(fetched.Manifest.AppVersion, available));
        }
        return available;
    }
}

/// <summary>At start: finishes or undoes a deploy a crash interrupted, and (un)schedules the recurring update check.</summary>
internal sealed class UpdatesStartup(
    ComponentDeployer deployer, IOptions<StudioOptions> options, IServiceProvider services, ILogger<UpdatesStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        deployer.RecoverInterrupted();
        var o = options.Value;
        if (services.GetService(typeof(IRecurringJobManager)) is not IRecurringJobManager recurring) return Task.CompletedTask;
        if (string.IsNullOrWhiteSpace(o.RepoUrl) || o.UpdateCheckHours <= 0)
        {
            recurring.RemoveIfExists(UpdateCheck.RecurringJobId);
            return Task.CompletedTask;
        }
        var hours = Math.Clamp(o.UpdateCheckHours, 1, 24 * 7);
        var cron = hours < 24 ? $"0 */{hours} * * *" : $"0 0 */{Math.Max(1, hours / 24)} * *";
        recurring.AddOrUpdate<UpdateCheck>(UpdateCheck.RecurringJobId, c => c.RunAsync(CancellationToken.None), cron);
        logger.LogInformation("Checking {Url} for updates every {Hours} h", "REPO_URL", hours);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
