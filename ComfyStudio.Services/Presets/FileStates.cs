namespace ComfyStudio.Services.Presets;

/// <summary>Where one file of a preset stands.</summary>
public static class FileStates
{
    /// <summary>On disk, and the engine verified it (size, and SHA-256 when the registry knows it).</summary>
    public const string Installed = "installed";
    /// <summary>On disk but not verified (placed by hand, or another version): an install checks it before fetching anything.</summary>
    public const string Unverified = "unverified";
    public const string Downloading = "downloading";
    public const string Queued = "queued";
    public const string Failed = "failed";
    public const string Missing = "missing";
}
