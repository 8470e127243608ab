namespace ComfyStudio.Services.Presets;

public sealed record Recommendations(GpuInfo? Gpu, IReadOnlyList<PresetFit> Compatible, IReadOnlyList<PresetFit> Incompatible, IReadOnlyList<PresetFit> Unknown);
