namespace ComfyStudio.Services.Downloads;

/// <summary>
/// The words for one file of a download: <see cref="Pending"/> (not started, or to be fetched again),
/// <see cref="Downloading"/>, <see cref="Verifying"/> (its hash is checked before the rename), then
/// <see cref="Completed"/> or <see cref="Failed"/>. While a download runs, a file that waits for a transfer slot is
/// <see cref="Waiting"/> in memory, and shown as <see cref="Pending"/>.
/// </summary>
public static class DownloadFileStates
{
    public const string Pending = "pending";
    public const string Downloading = "downloading";
    public const string Verifying = "verifying";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Waiting = "queued";
}
