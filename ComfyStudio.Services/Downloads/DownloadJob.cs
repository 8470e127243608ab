using Hangfire;

namespace ComfyStudio.Services.Downloads;

/// <summary>The Hangfire job that runs a download (queue <c>downloads</c>; the engine does its own retries).</summary>
public sealed class DownloadJob(DownloadEngine engine)
{
    [System.ComponentModel.DisplayName("Download {0}")]
    [AutomaticRetry(Attempts = 0)]
    [Queue("downloads")]
    public Task RunAsync(string downloadId, CancellationToken ct) => engine.RunAsync(downloadId, ct);
}
