namespace ComfyStudio.Services.Presets;

/// <summary>An install that was started (or was already under way).</summary>
/// <param name="BytesToFetch">Roughly what has to come over the network (the registry's sizes are approximate).</param>
/// <param name="EstimatedSeconds">From the speed recent downloads reached; null before any has.</param>
/// <param name="DownloadId">The download that fetches it; null when every file was present and verified already (installed at once).</param>
public sealed record PresetInstallStarted(string PresetId, string? DownloadId, long BytesToFetch, long? EstimatedSeconds, bool AlreadyUnderWay)
{
    public bool InstalledAtOnce => DownloadId is null;
}
