using System.Text.Json.Serialization;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Paging;
using ComfyStudio.Services.Presets;

namespace ComfyStudio.Web.Api.Presets;

/// <summary>A preset in the catalog as the Dashboard API lists it, with where it stands on this pod.</summary>
public record PresetResource(
    string Id, string Name, string Category, string Type, string? Description, string? DownloadSize, bool Installed,
    string? InstallDate, string? UseCase, IReadOnlyList<string> Tags, string Version, string? InstalledVersion, string Status,
    long SizeBytes, long MissingBytes, int FileCount, double? VramGb, double? DiskGb, bool? Compatible)
{
    public static PresetResource From(PresetStatus s, GpuInfo? gpu) => new(
        s.Preset.Id, s.Preset.Name, s.Preset.Category, s.Preset.Type, s.Preset.Description, s.Preset.DownloadSizeText, s.Installed,
        ApiTime.Iso(s.InstalledAt), s.Preset.UseCase, s.Preset.Tags, s.Preset.Version, s.InstalledVersion, s.State,
        s.TotalBytes, s.MissingBytes, s.Files.Count, s.Preset.VramGb, s.Preset.DiskGb, GpuRecommendations.Fits(gpu, s.Preset.VramGb));
}

/// <summary><c>GET /api/presets/{id}</c>: the summary, then each file's state, the dependencies and the workflows.</summary>
public sealed record PresetDetailResource(
    [property: JsonIgnore] PresetResource Summary,
    [property: JsonPropertyOrder(1)] IReadOnlyList<PresetDetailResource.FileResource> Files,
    [property: JsonPropertyOrder(2)] IReadOnlyList<string> Dependencies,
    [property: JsonPropertyOrder(3)] IReadOnlyList<string> Workflows) : PresetResource(Summary)
{
    /// <summary>One file of the preset; <c>state</c> is one of <see cref="FileStates"/>.</summary>
    public sealed record FileResource(
        string Path, string Url, string? Size, long? SizeBytes, bool Optional, bool Installed, string State, long? SizeOnDisk,
        long DownloadedBytes, string? Sha256, string? Error, string? ErrorCode, bool NeedsToken);

    public static new PresetDetailResource From(PresetStatus s, GpuInfo? gpu) => new(
        PresetResource.From(s, gpu),
        [.. s.Files.Select(f => new FileResource(f.File.Path, f.File.Url, f.File.SizeText, f.File.SizeBytes, f.File.Optional, f.IsInstalled,
            f.State, f.SizeOnDisk, f.DownloadedBytes, f.File.Sha256, f.Error, f.ErrorCode, f.NeedsToken))],
        s.Preset.Dependencies, s.Preset.Workflows);
}

/// <summary>The GPU presets are matched against (<c>source</c>: nvidia-smi or comfyui).</summary>
public sealed record GpuResource(string Name, long VramMb, double VramGb, string Source)
{
    public static GpuResource? From(GpuInfo? gpu) => gpu is null ? null : new(gpu.Name, gpu.VramMb, gpu.VramGb, gpu.Source);
}

/// <summary><c>GET /api/presets</c>: one page of the filtered catalog and the GPU it was matched against.</summary>
public sealed record PresetList(
    IReadOnlyList<PresetResource> Presets, int Total, int Page, int PerPage, bool HasNext, bool HasPrev, GpuResource? Gpu)
{
    public static PresetList From(Page<PresetResource> page, GpuInfo? gpu) =>
        new(page.Items, page.Total, page.PageNumber, page.PerPage, page.HasNext, page.HasPrev, GpuResource.From(gpu));
}

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

/// <summary>The answer to an install (REST and the live feed's <c>install_preset</c> action): <c>installing</c>, or <c>installed</c> when nothing was missing.</summary>
public sealed record PresetInstallResult(
    string Status, string PresetId, string? DownloadId, long? EstimatedTimeSeconds, double TotalSizeGb, long TotalSizeBytes, bool AlreadyInstalling)
{
    public static PresetInstallResult From(Services.Presets.PresetInstallStarted s) => new(
        s.InstalledAtOnce ? PresetInstallStates.Installed : PresetInstallStates.Installing, s.PresetId, s.DownloadId, s.EstimatedSeconds, ByteSize.Gb(s.BytesToFetch, 3),
        s.BytesToFetch, s.AlreadyUnderWay);
}

/// <summary>The answer to an uninstall: what went, what stayed because another preset uses it.</summary>
public sealed record PresetUninstallResult(
    string Status, string PresetId, int FilesRemoved, double SpaceFreedGb, long BytesFreed, IReadOnlyList<string> FilesKept,
    IReadOnlyList<string> RemovedPresets)
{
    public static PresetUninstallResult From(PresetUninstalled u) =>
        new("uninstalled", u.PresetId, u.FilesRemoved, ByteSize.Gb(u.BytesFreed, 3), u.BytesFreed, u.FilesKept, u.RemovedPresets);
}

/// <summary><c>GET /api/presets/recommendations</c>: the catalog split by whether it fits this GPU's memory.</summary>
public sealed record PresetRecommendations(
    GpuResource? Gpu, IReadOnlyList<PresetRecommendations.Fit> Compatible, IReadOnlyList<PresetRecommendations.Fit> Incompatible,
    IReadOnlyList<PresetRecommendations.Fit> Unknown)
{
    public sealed record Fit(string Id, string Name, double? VramGb, bool? Compatible, bool Installed, string Category, string Type);

    public static PresetRecommendations From(Recommendations r) =>
        new(GpuResource.From(r.Gpu), Fits(r.Compatible), Fits(r.Incompatible), Fits(r.Unknown));

    private static List<Fit> Fits(IReadOnlyList<PresetFit> fits) =>
        [.. fits.Select(f => new Fit(f.Preset.Id, f.Preset.Name, f.VramGb, f.Compatible, f.Installed, f.Preset.Category, f.Preset.Type))];
}

/// <summary><c>GET /api/presets/updates</c>: installed presets whose registry version is newer.</summary>
public sealed record PresetUpdateList(int Total, IReadOnlyList<PresetUpdateList.Update> Updates)
{
    public sealed record Update(string Id, string Name, string LocalVersion, string RemoteVersion, string Category, string Type, bool Installed);

    public static PresetUpdateList From(IReadOnlyList<PresetUpdate> updates) => new(updates.Count,
        [.. updates.Select(u => new Update(u.Preset.Id, u.Preset.Name, u.LocalVersion, u.Preset.Version, u.Preset.Category, u.Preset.Type, u.Installed))]);
}
