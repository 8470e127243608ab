using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;

namespace ComfyStudio.Services.Presets;

/// <summary>An install completed: every file of the preset is on disk and verified.</summary>
public sealed record PresetInstalled(string PresetId, string Name, string Version) : StudioEvent
{
    public override string Type => "preset.installed";
    public override EventSeverity Severity => EventSeverity.Success;
    public override string Message => $"Preset '{Name}' installed (version {Version})";
    public override JsonObject? Data => new() { ["preset_id"] = PresetId, ["version"] = Version };
}
