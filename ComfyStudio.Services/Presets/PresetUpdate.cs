namespace ComfyStudio.Services.Presets;

/// <summary>A preset whose registry version is newer than the one installed.</summary>
public sealed record PresetUpdate(PresetDefinition Preset, string LocalVersion, bool Installed);
