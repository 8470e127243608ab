using System.Diagnostics;

namespace ComfyStudio.Services.Status;

/// <summary>When this process started, and the System API's Europe/Rome rendering of it.</summary>
public sealed class StudioUptime(TimeProvider clock)
{
    public DateTime StartedAtUtc { get; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public int ProcessId { get; } = Environment.ProcessId;

    /// <summary>Names this run of the app (a restart gets a new one): open pages tell the app that came back from the one that is stopping.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("n")[..12];

    public TimeSpan Uptime => clock.GetUtcNow().UtcDateTime - StartedAtUtc;

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c> in Europe/Rome, as the System API shows <c>started_at</c>.</summary>
    public string StartedAtRome => RomeTime.Format(StartedAtUtc, "yyyy-MM-dd HH:mm:ss");
}
