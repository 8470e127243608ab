namespace ComfyStudio.Services.Downloads;

/// <summary>
/// What the download engine knows of a file under the models folder, for the features that need it (presets): its
/// status (one of <see cref="DownloadFileStates"/>), the size and SHA-256 it was verified at, and why it failed.
/// </summary>
public sealed record DownloadedFile(
    string Path, string Status, long? TotalBytes, long DownloadedBytes, string? Sha256, string? Error, string? ErrorCode)
{
    /// <summary>Downloaded and verified at <paramref name="size"/> bytes (and at <paramref name="sha256"/> when one is known).</summary>
    public bool VerifiedAt(long size, string? sha256) =>
        Status == DownloadFileStates.Completed && TotalBytes == size && (sha256 is null || Sha256 == sha256);

    public bool Failed => Status == DownloadFileStates.Failed;
}
