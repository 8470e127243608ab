namespace ComfyStudio.Services.Downloads;

/// <summary>A file's live progress, read by the engine's progress ticker.</summary>
public sealed class FileProgress
{
    private long _done;
    public long Done => Interlocked.Read(ref _done);
    public long? Total { get; set; }
    /// <summary>pending, downloading, verifying, completed or failed.</summary>
    public string State { get; set; } = DownloadFileStates.Pending;
    public void Add(long bytes) => Interlocked.Add(ref _done, bytes);
    public void Set(long bytes) => Interlocked.Exchange(ref _done, bytes);

    /// <summary>Set while no bytes arrive and the transfer waits to try again; cleared by the next bytes.</summary>
    public RetryState? Retrying { get; set; }
}
