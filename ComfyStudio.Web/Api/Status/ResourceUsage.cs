using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Telemetry;

namespace ComfyStudio.Web.Api.Status;

/// <summary>The Dashboard API's <c>GET /api/system/resources</c>: CPU, memory, every GPU and the disk, sizes in GB.</summary>
public sealed record ResourceUsage(ResourceUsage.CpuUsage Cpu, ResourceUsage.MemoryUsage Memory, ResourceUsage.GpuList Gpu, ResourceUsage.DiskUsage Disk)
{
    public sealed record CpuUsage(double Percent, int Count, Frequency Freq);
    public sealed record Frequency(double? Current, double? Min, double? Max);
    public sealed record MemoryUsage(double TotalGb, double AvailableGb, double Percent, double UsedGb);
    public sealed record GpuList(int Count, IReadOnlyList<GpuDevice> Devices);

    /// <summary>GPU memory in binary GB, as nvidia-smi and the card's maker count it.</summary>
    public sealed record GpuDevice(
        int Id, string Name, double MemoryTotalGb, double MemoryUsedGb, double MemoryFreeGb, double? UtilizationPercent, double? TemperatureC);

    public sealed record DiskUsage(double TotalGb, double UsedGb, double FreeGb, double Percent);

    public static ResourceUsage From(TelemetrySnapshot t)
    {
        var devices = (t.Gpus ?? []).Select(g => new GpuDevice(g.Index, g.Name, ByteSize.GpuMemoryGb(g.MemoryTotalBytes),
            ByteSize.GpuMemoryGb(g.MemoryUsedBytes), ByteSize.GpuMemoryGb(g.MemoryFreeBytes), g.UtilizationPercent, g.TemperatureC)).ToList();
        return new(
            new CpuUsage(Percent.Round(t.Cpu.UtilizationPercent), t.Cpu.Count, new Frequency(t.Cpu.FreqCurrentMhz, t.Cpu.FreqMinMhz, t.Cpu.FreqMaxMhz)),
            new MemoryUsage(ByteSize.Gb(t.Memory.TotalBytes), ByteSize.Gb(t.Memory.AvailableBytes), Percent.Round(t.Memory.Percent), ByteSize.Gb(t.Memory.UsedBytes)),
            new GpuList(devices.Count, devices),
            new DiskUsage(ByteSize.Gb(t.Disk.TotalBytes), ByteSize.Gb(t.Disk.UsedBytes), ByteSize.Gb(t.Disk.FreeBytes), Percent.Round(t.Disk.Percent)));
    }
}
