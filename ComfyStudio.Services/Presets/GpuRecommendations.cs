using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Services.Presets;

/// <summary>
/// Which presets fit this machine's GPU: VRAM from nvidia-smi (the first GPU), else from ComfyUI's
/// <c>/system_stats</c> (its first CUDA device); a preset fits when the GPU has at least the VRAM it asks for.
/// A preset without a VRAM figure (the registry's <c>vram_gb: 0</c>) or a machine without a GPU is "unknown".
/// </summary>
public sealed partial class GpuRecommendations(TelemetryReader telemetry, IServiceProvider services, PresetStates states, TimeProvider clock)
{
    private static readonly TimeSpan KeepFound = TimeSpan.FromMinutes(10), KeepNone = TimeSpan.FromSeconds(30);
    private (GpuInfo? Gpu, DateTimeOffset Until)? _cached;

    /// <summary>The GPU (a card's VRAM does not change: a finding is kept ten minutes, "none" half a minute).</summary>
    public async Task<GpuInfo?> DetectAsync(CancellationToken ct = default)
    {
        if (_cached is { } c && clock.GetUtcNow() < c.Until) return c.Gpu;
        GpuInfo? gpu = null;
        if (await telemetry.ReadGpusAsync(ct) is { Count: > 0 } gpus)
            gpu = new GpuInfo(gpus[0].Name, gpus[0].MemoryTotalBytes / (1024 * 1024), "nvidia-smi");
        else if ((await services.GetRequiredService<ComfyUiClient>().ProbeAsync(ct)).SystemStats is { } stats)
            gpu = FromSystemStats(stats);
        _cached = (gpu, clock.GetUtcNow() + (gpu is null ? KeepNone : KeepFound));
        return gpu;
    }

    /// <summary>The first CUDA device of <c>/system_stats</c> (<c>"cuda:0 NVIDIA H100 80GB HBM3 : cudaMallocAsync"</c>, <c>vram_total</c> in bytes).</summary>
    public static GpuInfo? FromSystemStats(JsonObject stats)
    {
        if (stats["devices"] is not JsonArray devices) return null;
        foreach (var device in devices.OfType<JsonObject>())
        {
            if (PresetDefinition.Text(device["type"]) is not { } type || !type.Equals("cuda", StringComparison.OrdinalIgnoreCase)) continue;
            var total = PresetDefinition.Number(device["vram_total"]);
            if (total is not > 0) continue;
            var name = PresetDefinition.Text(device["name"]) ?? "GPU";
            name = DeviceName().Match(name) is { Success: true } m ? m.Groups[1].Value.Trim() : name;
            return new GpuInfo(name, (long)(total!.Value / (1024 * 1024)), "comfyui");
        }
        return null;
    }

    [GeneratedRegex(@"^cuda:\d+\s+(.*?)(?:\s*:\s*\w+)?$")]
    private static partial Regex DeviceName();

    public static bool? Fits(GpuInfo? gpu, double? vramGb) => gpu is null || vramGb is null ? null : gpu.VramGb >= vramGb;

    public async Task<Recommendations> RecommendAsync(CancellationToken ct = default)
    {
        var gpu = await DetectAsync(ct);
        var all = await states.ReadAllAsync(ct: ct);
        var fits = all.Values.Select(s => new PresetFit(s.Preset, s.Preset.VramGb, Fits(gpu, s.Preset.VramGb), s.Installed))
            .OrderByDescending(f => f.Installed).ThenBy(f => f.Preset.Name, StringComparer.OrdinalIgnoreCase).ToList();
        return new Recommendations(gpu,
            fits.Where(f => f.Compatible == true).ToList(),
            fits.Where(f => f.Compatible == false).ToList(),
            fits.Where(f => f.Compatible is null).ToList());
    }
}
