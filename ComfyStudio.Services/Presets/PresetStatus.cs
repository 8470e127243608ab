using ComfyStudio.Services.Downloads;

namespace ComfyStudio.Services.Presets;

/// <summary>A preset with the state of its files, its install record and its newest download.</summary>
/// <param name="Recorded">The owner installed it: an install of it completed, and it was not uninstalled since.</param>
public sealed record PresetStatus(
    PresetDefinition Preset, IReadOnlyList<PresetFileStatus> Files, DateTime? InstalledAt, string? InstalledVersion, DownloadView? Download,
    bool Recorded = false)
{
    /// <summary>Every non-optional file is on disk and verified (through this preset or another that shares them).</summary>
    public bool FilesPresent => Files.Where(f => !f.File.Optional).All(f => f.IsInstalled);

    /// <summary>Installed: the owner installed it (<see cref="Recorded"/>) and every file verifies.</summary>
    public bool Installed => Recorded && FilesPresent;

    /// <summary>installed, installing, paused, failed, files_present (every file verified, never installed as this preset: it installs at once), partial or not_installed.</summary>
    public string State =>
        Download is { IsActive: true } ? PresetInstallStates.Installing
        : Installed ? PresetInstallStates.Installed
        : Download?.Status == DownloadStates.Paused ? PresetInstallStates.Paused
        : Download?.Status == DownloadStates.Failed ? PresetInstallStates.Failed
        : FilesPresent ? PresetInstallStates.FilesPresent
        : Files.Any(f => f.IsInstalled || f.State == FileStates.Unverified) ? PresetInstallStates.Partial
        : PresetInstallStates.NotInstalled;

    /// <summary>The size of the whole preset, as exactly as the registry knows it.</summary>
    public long TotalBytes => Preset.RequiredFiles.Sum(f => f.SizeBytes ?? 0);

    /// <summary>Roughly what an install still has to fetch.</summary>
    public long MissingBytes => Files.Where(f => !f.File.Optional && !f.IsInstalled && f.State != FileStates.Unverified)
        .Sum(f => Math.Max(0, (f.File.SizeBytes ?? 0) - f.DownloadedBytes));

    /// <summary>What uninstalling it alone would remove from disk (shared files in use elsewhere stay: see the uninstall).</summary>
    public long BytesOnDisk => Files.Sum(f => f.SizeOnDisk ?? 0);

    public bool NeedsToken => Files.Any(f => f.NeedsToken);
}
