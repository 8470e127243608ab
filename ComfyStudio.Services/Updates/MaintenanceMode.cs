using ComfyStudio.Services.Events;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// On while an update deploys: the API answers 503 <c>MAINTENANCE</c> and pages show "Updating…" until it ends (or,
/// after a backend update, until the process is replaced).
/// </summary>
public sealed class MaintenanceMode(EventBus bus)
{
    private volatile string? _reason;

    public bool IsOn => _reason is not null;
    public string? Reason => _reason;

    public void Enter(string reason)
    {
        _reason = reason;
        bus.Publish(new MaintenanceChanged(true, reason));
    }

    public void Leave()
    {
        if (_reason is null) return;
        _reason = null;
        bus.Publish(new MaintenanceChanged(false, null));
    }
}
