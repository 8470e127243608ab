using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Services.Presets;

/// <summary>What an uninstall removed, and the shared files it left for presets that still use them.</summary>
public sealed record PresetUninstalled(string PresetId, IReadOnlyList<string> RemovedPresets, int FilesRemoved, long BytesFreed, IReadOnlyList<string> FilesKept)
    : StudioEvent
{
    public override string Type => "preset.uninstalled";
    public override string Message => $"Preset '{PresetId}' uninstalled: {FilesRemoved} file(s) removed, {ByteSize.Format(BytesFreed)} freed"
                                      + (FilesKept.Count > 0 ? $", {FilesKept.Count} shared file(s) kept" : "");
    public override JsonObject? Data => new()
    {
        ["preset_id"] = PresetId, ["files_removed"] = FilesRemoved, ["bytes_freed"] = BytesFreed,
        ["removed_presets"] = new JsonArray([.. RemovedPresets.Select(p => (JsonNode)p)]),
    };
}
