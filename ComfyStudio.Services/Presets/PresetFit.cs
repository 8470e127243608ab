namespace ComfyStudio.Services.Presets;

/// <summary>A preset against the GPU: <paramref name="Compatible"/> is null when either the GPU or the preset's need is unknown.</summary>
public sealed record PresetFit(PresetDefinition Preset, double? VramGb, bool? Compatible, bool Installed);
