using ComfyStudio.Services.Presets;

namespace ComfyStudio.Web.Api.Presets;

/// <summary>The GPU presets are matched against (<c>source</c>: nvidia-smi or comfyui).</summary>
public sealed record GpuResource(string Name, long VramMb, double VramGb, string Source)
{
    public static GpuResource? From(GpuInfo? gpu) => gpu is null ? null : new(gpu.Name, gpu.VramMb, gpu.VramGb, gpu.Source);
}
