using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Presets;

namespace ComfyStudio.Web.Api.Presets;

/// <summary><c>GET /api/presets/{id}/status</c>: where an install stands, with the download engine's live progress.</summary>
public sealed record PresetInstallStatus(
    string PresetId, string Status, bool Installed, double Progress, string? CurrentFile, double DownloadSpeedMbps, long? EtaSeconds,
    PresetInstallStatus.FileCounts Files, string? DownloadId, string? Error, bool NeedsToken)
{
    /// <summary>The preset's required files: how many, how many installed, how many failed.</summary>
    public sealed record FileCounts(int Total, int Completed, int Failed);

    public static PresetInstallStatus From(PresetStatus s)
    {
        var required = s.Files.Where(f => !f.File.Optional).ToList();
        var d = s.Download is { IsActive: true } or { Status: DownloadStates.Paused } ? s.Download : null;
        var installedBytes = required.Where(f => f.IsInstalled).Sum(f => f.SizeOnDisk ?? 0);
        var progress = d?.Progress ?? (s.Installed ? 100 : s.TotalBytes > 0 ? Math.Round(Math.Min(100, 100d * installedBytes / s.TotalBytes), 1) : 0);
        return new(s.Preset.Id, s.State, s.Installed, progress, d?.CurrentFile, d?.SpeedMegabytesPerSecond ?? 0, d?.EtaSeconds,
            new FileCounts(required.Count, required.Count(f => f.IsInstalled), required.Count(f => f.State == FileStates.Failed)),
            s.Download?.Id, s.Download?.Status == DownloadStates.Failed ? s.Download.Error : null, s.NeedsToken);
    }
}
