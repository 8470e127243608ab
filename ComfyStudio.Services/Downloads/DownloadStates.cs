namespace ComfyStudio.Services.Downloads;

/// <summary>
/// The words for a download's status, as the database stores them and the API shows them. A download is
/// <see cref="Queued"/> until a transfer slot takes it, then <see cref="Downloading"/>; it ends
/// <see cref="Completed"/>, <see cref="Failed"/> or <see cref="Cancelled"/>, and may be <see cref="Paused"/> between.
/// </summary>
public static class DownloadStates
{
    public const string Queued = "queued";
    public const string Downloading = "downloading";
    public const string Paused = "paused";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}
