namespace ComfyStudio.Services.Downloads;

/// <summary>Free space on the volume that holds a folder (injectable, so tests can run out of disk).</summary>
public interface IFreeSpace
{
    long AvailableBytes(string folder);
}
