using ComfyStudio.Services.Configuration;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>At start: finishes or undoes a deploy a crash interrupted, and (un)schedules the recurring update check.</summary>
internal sealed class UpdatesStartup(
    ComponentDeployer deployer, IOptions<StudioOptions> options, IServiceProvider services, ILogger<UpdatesStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        deployer.RecoverInterrupted();
        var o = options.Value;
        if (services.GetService(typeof(IRecurringJobManager)) is not IRecurringJobManager recurring) return Task.CompletedTask;
        if (string.IsNullOrWhiteSpace(o.RepoUrl) || UpdateCheck.Interval(o.UpdateCheckHours) is not { } interval)
        {
            recurring.RemoveIfExists(UpdateCheck.RecurringJobId);
            return Task.CompletedTask;
        }
        if (o.UpdateCheckHours > UpdateCheck.MaxHours)
            logger.LogWarning("UPDATE_CHECK_HOURS={Hours} is more than a year; checking every {MaxHours} h", o.UpdateCheckHours, UpdateCheck.MaxHours);
        recurring.AddOrUpdate<UpdateCheck>(UpdateCheck.RecurringJobId, c => c.RunWhenDueAsync(CancellationToken.None), UpdateCheck.Schedule);
        logger.LogInformation("Checking the release repository for updates every {Hours} h", interval.TotalHours);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
