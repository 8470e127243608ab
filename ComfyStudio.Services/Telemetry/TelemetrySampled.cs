using System.Globalization;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Services.Telemetry;

/// <summary>A telemetry sample, for live views; not written to the event log.</summary>
public sealed record TelemetrySampled(TelemetrySnapshot Snapshot) : StudioEvent
{
    public override string Type => "system.telemetry";
    public override bool Persist => false;

    public override string Message
    {
        get
        {
            var s = Snapshot;
            var text = FormattableString.Invariant($"CPU {s.Cpu.LoadPercent:0}%, RAM {s.Memory.Percent:0}%, disk {s.Disk.Percent:0}%");
            return s.Gpus is { Count: > 0 } gpus
                ? text + ", " + string.Join(", ", gpus.Select(g => g.UtilizationPercent is { } u
                    ? FormattableString.Invariant($"GPU {g.Index} {u:0}%, VRAM {g.MemoryPercent:0}%")
                    : FormattableString.Invariant($"GPU {g.Index} VRAM {g.MemoryPercent:0}%")))
                : text;
        }
    }

    /// <summary>The figures, in bytes and percent (rounded to one decimal), for live gauges.</summary>
    public override JsonObject? Data
    {
        get
        {
            var s = Snapshot;
            return new JsonObject
            {
                ["taken_at"] = ApiTime.Precise(s.TakenAt),
                ["cpu_percent"] = Round(s.Cpu.LoadPercent),
                ["cpu_count"] = s.Cpu.Count,
                ["ram_total"] = s.Memory.TotalBytes,
                ["ram_used"] = s.Memory.UsedBytes,
                ["ram_percent"] = Round(s.Memory.Percent),
                ["disk_total"] = s.Disk.TotalBytes,
                ["disk_used"] = s.Disk.UsedBytes,
                ["disk_percent"] = Round(s.Disk.Percent),
                ["gpus"] = s.Gpus is null ? null : new JsonArray(s.Gpus.Select(g => (JsonNode)new JsonObject
                {
                    ["index"] = g.Index,
                    ["name"] = g.Name,
                    ["vram_total"] = g.MemoryTotalBytes,
                    ["vram_used"] = g.MemoryUsedBytes,
                    ["vram_percent"] = Round(g.MemoryPercent),
                    ["util_percent"] = g.UtilizationPercent,
                    ["temp_c"] = g.TemperatureC,
                }).ToArray()),
            };
        }
    }

    private static double Round(double v) => Math.Round(v, 1);
}
