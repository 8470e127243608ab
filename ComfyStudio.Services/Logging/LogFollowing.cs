namespace ComfyStudio.Services.Logging;

/// <summary>The lines there were when following began, and the subscription (dispose to stop).</summary>
public sealed class LogFollowing(IReadOnlyList<StudioLogLine> tail, Action stop) : IDisposable
{
    private int _stopped;
    public IReadOnlyList<StudioLogLine> Tail { get; } = tail;
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0) stop();
    }
}
