using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Presets;

namespace ComfyStudio.Web.Api.Presets;

/// <summary>The answer to an install (REST and the live feed's <c>install_preset</c> action): <c>installing</c>, or <c>installed</c> when nothing was missing.</summary>
public sealed record PresetInstallResult(
    string Status, string PresetId, string? DownloadId, long? EstimatedTimeSeconds, double TotalSizeGb, long TotalSizeBytes, bool AlreadyInstalling)
{
    public static PresetInstallResult From(Services.Presets.PresetInstallStarted s) => new(
        s.InstalledAtOnce ? PresetInstallStates.Installed : PresetInstallStates.Installing, s.PresetId, s.DownloadId, s.EstimatedSeconds, ByteSize.Gb(s.BytesToFetch, 3),
        s.BytesToFetch, s.AlreadyUnderWay);
}
