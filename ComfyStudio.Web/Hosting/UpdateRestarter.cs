using ComfyStudio.Services.Events;
using ComfyStudio.Services.Updates;

namespace ComfyStudio.Web.Hosting;

/// <summary>
/// Restarts the app into the new backend once an update deployed one — whoever started the update, and whether or
/// not anyone still waits for its answer (which goes out within the restart's one-second delay).
/// </summary>
internal sealed class UpdateRestarter(EventBus bus, IStudioRestart restart) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.SubscribeDurable<StudioUpdated>(e => e.RestartNeeded
            ? restart.RequestAsync("the backend was updated", TimeSpan.FromSeconds(1))
            : Task.CompletedTask);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
