using ComfyStudio.Web.Hosting;

namespace ComfyStudio.Tests.Infrastructure;

/// <summary>
/// Records restart requests instead of stopping the test host, which other tests share. The real restart is
/// tested on a real process (<c>RestartProcessTests</c>).
/// </summary>
public sealed class RecordingRestart : IStudioRestart
{
    private readonly List<string> _reasons = [];

    public IReadOnlyList<string> Reasons { get { lock (_reasons) return [.. _reasons]; } }
    public bool Requested => Reasons.Count > 0;

    public Task RequestAsync(string reason, TimeSpan delay, CancellationToken ct = default)
    {
        lock (_reasons) _reasons.Add(reason);
        return Task.CompletedTask;
    }
}
