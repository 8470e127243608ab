using System.Globalization;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Status;
using ComfyStudio.Services.Telemetry;
using ComfyStudio.Services.Versions;

namespace ComfyStudio.Web.Api.Status;

/// <summary>The status and telemetry readings in the two specs' shapes.</summary>
public static class StatusResources
{
    public static JsonObject SpecA(StudioStatusReport s, string runningVersion, IConfiguration configuration)
    {
        var local = s.Local;
        var c = s.Catalogs;
        var components = new JsonObject
        {
            ["runtime"] = Component(local, "runtime", s.RuntimeVersion > 0 ? $"Docker image v{s.RuntimeVersion}" : "Local runtime (.NET " + Environment.Version + ")", extra: o => o["updatable"] = false),
            ["backend"] = Component(local, "backend", "running", fallbackVersion: runningVersion),
            ["frontend"] = Component(local, "frontend", s.FrontendDeployed ? "loaded" : "built-in"),
            ["models"] = Component(local, "models", Plural(c.Models, "model"), extra: o => { o["count"] = c.Models; o["present"] = c.ModelsPresent; }),
            ["loras"] = Component(local, "loras", Plural(c.Loras, "lora"), extra: o => o["count"] = c.Loras),
            ["llm_models"] = Component(local, "llm_models", Plural(c.LlmModels, "llm model"), extra: o => o["count"] = c.LlmModels),
            ["workflows"] = Component(local, "workflows", Plural(c.Workflows, "workflow"), extra: o => o["count"] = c.Workflows),
        };
        var tables = new JsonObject();
        foreach (var (name, count) in s.Tables) tables[name] = count;
        return new JsonObject
        {
            ["app_version"] = local.AppVersion is { Length: > 0 } v ? v : runningVersion,
            ["date"] = local.Date,
            ["repo_url"] = s.RepoUrl,
            ["runtime_version"] = s.RuntimeVersion,
            ["min_runtime"] = local.MinRuntime,
            ["components"] = components,
            ["comfyui"] = new JsonObject { ["status"] = s.ComfyUi.Status, ["version"] = s.ComfyUi.Version },
            ["nodes"] = new JsonObject { ["total_packages"] = s.NodePackages },
            ["disk"] = new JsonObject { ["total_bytes"] = s.Disk.TotalBytes, ["used_bytes"] = s.Disk.UsedBytes, ["free_bytes"] = s.Disk.FreeBytes },
            ["database"] = new JsonObject
            {
                ["tables"] = tables,
                ["browser_url"] = s.DevMode ? configuration["DB_BROWSER_URL"] : null,
            },
            ["telegram_bot"] = new JsonObject { ["running"] = s.TelegramConfigured, ["name"] = s.TelegramName },
            ["dev_mode"] = s.DevMode,
        };
    }

    private static JsonObject Component(VersionManifest local, string name, string status, string? fallbackVersion = null, Action<JsonObject>? extra = null)
    {
        var c = local.Component(name);
        var o = new JsonObject
        {
            ["version"] = c?.Version?.DeepClone() ?? (fallbackVersion is null ? null : JsonValue.Create(fallbackVersion)),
            ["date"] = c?.Date,
            ["status"] = status,
        };
        extra?.Invoke(o);
        return o;
    }

    private static string Plural(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    public static JsonObject Telemetry(TelemetrySnapshot t)
    {
        var gpu = t.Gpus is { Count: > 0 } gpus ? gpus[0] : null;
        return new JsonObject
        {
            ["gpu"] = gpu is null ? null : new JsonObject
            {
                ["name"] = gpu.Name,
                ["vram_total"] = gpu.MemoryTotalBytes,
                ["vram_used"] = gpu.MemoryUsedBytes,
                ["vram_percent"] = Round(gpu.MemoryPercent),
                ["util_percent"] = gpu.UtilizationPercent,
                ["temp_c"] = gpu.TemperatureC,
            },
            ["cpu_percent"] = Round(t.Cpu.LoadPercent),
            ["ram_total"] = t.Memory.TotalBytes,
            ["ram_used"] = t.Memory.UsedBytes,
            ["ram_percent"] = Round(t.Memory.Percent),
            ["disk_total"] = t.Disk.TotalBytes,
            ["disk_used"] = t.Disk.UsedBytes,
            ["disk_percent"] = Round(t.Disk.Percent),
        };
    }

    /// <summary>Spec B's <c>/api/system/resources</c>.</summary>
    public static JsonObject Resources(TelemetrySnapshot t)
    {
        var devices = new JsonArray();
        foreach (var g in t.Gpus ?? [])
            devices.Add(new JsonObject
            {
                ["id"] = g.Index,
                ["name"] = g.Name,
                ["memory_total_gb"] = ByteSize.GpuMemoryGb(g.MemoryTotalBytes),
                ["memory_used_gb"] = ByteSize.GpuMemoryGb(g.MemoryUsedBytes),
                ["memory_free_gb"] = ByteSize.GpuMemoryGb(g.MemoryFreeBytes),
                ["utilization_percent"] = g.UtilizationPercent,
                ["temperature_c"] = g.TemperatureC,
            });
        return new JsonObject
        {
            ["cpu"] = new JsonObject
            {
                ["percent"] = Round(t.Cpu.UtilizationPercent),
                ["count"] = t.Cpu.Count,
                ["freq"] = new JsonObject { ["current"] = t.Cpu.FreqCurrentMhz, ["min"] = t.Cpu.FreqMinMhz, ["max"] = t.Cpu.FreqMaxMhz },
            },
            ["memory"] = new JsonObject
            {
                ["total_gb"] = ByteSize.Gb(t.Memory.TotalBytes),
                ["available_gb"] = ByteSize.Gb(t.Memory.AvailableBytes),
                ["percent"] = Round(t.Memory.Percent),
                ["used_gb"] = ByteSize.Gb(t.Memory.UsedBytes),
            },
            ["gpu"] = new JsonObject { ["count"] = devices.Count, ["devices"] = devices },
            ["disk"] = new JsonObject
            {
                ["total_gb"] = ByteSize.Gb(t.Disk.TotalBytes),
                ["used_gb"] = ByteSize.Gb(t.Disk.UsedBytes),
                ["free_gb"] = ByteSize.Gb(t.Disk.FreeBytes),
                ["percent"] = Round(t.Disk.Percent),
            },
        };
    }

    /// <summary>Spec B's <c>/api/system/status</c>.</summary>
    public static JsonObject SpecB(TelemetrySnapshot t, string comfyUiStatus, TimeSpan uptime) => new()
    {
        ["status"] = "running",
        ["uptime"] = (long)uptime.TotalSeconds,
        ["services"] = new JsonObject
        {
            ["dashboard"] = "running",
            ["comfyui"] = comfyUiStatus == "running" ? "running" : comfyUiStatus == "error" ? "error" : "stopped",
            ["preset_manager"] = "running",
        },
        ["resources"] = new JsonObject
        {
            ["cpu_percent"] = Round(t.Cpu.UtilizationPercent),
            ["memory_percent"] = Round(t.Memory.Percent),
            ["gpu_percent"] = t.Gpus is { Count: > 0 } g ? g[0].UtilizationPercent : null,
            ["disk_used_gb"] = ByteSize.Gb(t.Disk.UsedBytes),
            ["disk_total_gb"] = ByteSize.Gb(t.Disk.TotalBytes),
        },
    };


    public static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 1) : 0;

    internal static string Invariant(double v) => v.ToString(CultureInfo.InvariantCulture);
}
