using ComfyStudio.Services.Formatting;
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
