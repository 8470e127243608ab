using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Services.Presets;

public sealed record Recommendations(GpuInfo? Gpu, IReadOnlyList<PresetFit> Compatible, IReadOnlyList<PresetFit> Incompatible, IReadOnlyList<PresetFit> Unknown);
