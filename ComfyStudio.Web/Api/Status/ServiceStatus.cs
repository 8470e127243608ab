using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Telemetry;

namespace ComfyStudio.Web.Api.Status;

/// <summary>The Dashboard API's <c>GET /api/system/status</c>: the services' states and usage percentages.</summary>
public sealed record ServiceStatus(string Status, long Uptime, ServiceStatus.ServiceStates Services, ServiceStatus.Usage Resources)
{
    /// <summary><c>comfyui</c>: running, error (it answers, with a failure) or stopped.</summary>
    public sealed record ServiceStates(string Dashboard, string Comfyui, string PresetManager);

    public sealed record Usage(double CpuPercent, double MemoryPercent, double? GpuPercent, double DiskUsedGb, double DiskTotalGb);

    public static ServiceStatus From(TelemetrySnapshot t, string comfyUiStatus, TimeSpan uptime) => new(
        "running", (long)uptime.TotalSeconds,
        new ServiceStates("running",
            comfyUiStatus == ComfyUiProbe.Running ? "running" : comfyUiStatus == ComfyUiProbe.Failing ? "error" : "stopped", "running"),
        new Usage(Percent.Round(t.Cpu.UtilizationPercent), Percent.Round(t.Memory.Percent),
            t.Gpus is { Count: > 0 } g ? g[0].UtilizationPercent : null, ByteSize.Gb(t.Disk.UsedBytes), ByteSize.Gb(t.Disk.TotalBytes)));
}
