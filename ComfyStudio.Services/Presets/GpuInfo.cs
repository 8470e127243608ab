namespace ComfyStudio.Services.Presets;

/// <summary>The GPU presets are matched against; <paramref name="Source"/> is <c>nvidia-smi</c> or <c>comfyui</c>.</summary>
public sealed record GpuInfo(string Name, long VramMb, string Source)
{
    public double VramGb => Math.Round(VramMb / 1024d, 1);
}
