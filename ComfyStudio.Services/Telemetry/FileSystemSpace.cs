namespace ComfyStudio.Services.Telemetry;

/// <summary>
/// The file system that holds a folder, as <c>df</c> shows it: its size, what is used (size less the free blocks),
/// and what the app can still write (statvfs <c>f_bavail</c>: the free blocks less those the file system keeps for
/// root). Every free-space figure of the studio (the System API's <c>free_bytes</c>, the Dashboard API's <c>available_gb</c> and
/// <c>free_gb</c>, the dashboard, the download engine's check) is <see cref="AvailableBytes"/>.
/// </summary>
public readonly record struct FileSystemSpace(long TotalBytes, long UsedBytes, long AvailableBytes)
{
    /// <summary>The file system of <paramref name="folder"/> (or of its nearest existing parent).</summary>
    public static FileSystemSpace Of(string folder)
    {
        var dir = Path.GetFullPath(folder);
        while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent) dir = parent;
        // DriveInfo takes any folder on Linux and reports the file system that holds it (statvfs):
        // TotalFreeSpace is f_bfree, AvailableFreeSpace f_bavail.
        var drive = new DriveInfo(dir);
        var total = drive.TotalSize;
        return new FileSystemSpace(total, Math.Max(0, total - drive.TotalFreeSpace), Math.Max(0, drive.AvailableFreeSpace));
    }
}
