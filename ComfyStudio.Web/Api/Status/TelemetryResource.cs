using ComfyStudio.Services.Telemetry;

namespace ComfyStudio.Web.Api.Status;

/// <summary>The System API's <c>GET /api/admin/telemetry</c>: the first GPU (null without one), CPU load, RAM and disk in bytes.</summary>
public sealed record TelemetryResource(
    TelemetryResource.GpuUsage? Gpu, double CpuPercent, long RamTotal, long RamUsed, double RamPercent, long DiskTotal, long DiskUsed,
    double DiskPercent)
{
    public sealed record GpuUsage(string Name, long VramTotal, long VramUsed, double VramPercent, double? UtilPercent, double? TempC);

    public static TelemetryResource From(TelemetrySnapshot t)
    {
        var gpu = t.Gpus is { Count: > 0 } gpus ? gpus[0] : null;
        return new(
            gpu is null ? null : new GpuUsage(gpu.Name, gpu.MemoryTotalBytes, gpu.MemoryUsedBytes, Percent.Round(gpu.MemoryPercent),
                gpu.UtilizationPercent, gpu.TemperatureC),
            Percent.Round(t.Cpu.LoadPercent), t.Memory.TotalBytes, t.Memory.UsedBytes, Percent.Round(t.Memory.Percent),
            t.Disk.TotalBytes, t.Disk.UsedBytes, Percent.Round(t.Disk.Percent));
    }
}
