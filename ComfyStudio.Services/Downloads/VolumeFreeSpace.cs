namespace ComfyStudio.Services.Downloads;

/// <summary>The real free space: statvfs <c>f_bavail</c>, what this process can write.</summary>
public sealed class VolumeFreeSpace : IFreeSpace
{
    public long AvailableBytes(string folder) => Telemetry.FileSystemSpace.Of(folder).AvailableBytes;
}
