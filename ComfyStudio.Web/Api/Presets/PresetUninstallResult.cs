using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Presets;

namespace ComfyStudio.Web.Api.Presets;

/// <summary>The answer to an uninstall: what went, what stayed because another preset uses it.</summary>
public sealed record PresetUninstallResult(
    string Status, string PresetId, int FilesRemoved, double SpaceFreedGb, long BytesFreed, IReadOnlyList<string> FilesKept,
    IReadOnlyList<string> RemovedPresets)
{
    public static PresetUninstallResult From(PresetUninstalled u) =>
        new("uninstalled", u.PresetId, u.FilesRemoved, ByteSize.Gb(u.BytesFreed, 3), u.BytesFreed, u.FilesKept, u.RemovedPresets);
}
