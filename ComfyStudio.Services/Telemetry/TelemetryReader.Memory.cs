using System.Globalization;

namespace ComfyStudio.Services.Telemetry;

/// <summary>The memory reader: the cgroup's limit and charge less inactive file cache, else RunPod's figure or /proc/meminfo.</summary>
public sealed partial class TelemetryReader
{


    /// <summary>The memory the app may use and what is used of it (see the class remarks for the sources).</summary>
    public MemoryReading ReadMemory()
    {
        try
        {
            var meminfo = HostParsers.ParseMemInfo(ReadHostFile("proc/meminfo"));
            if (meminfo is null) Note("memory.meminfo", "/proc/meminfo is missing or unreadable");
            var (limit, cgroupUsed) = ReadCgroupMemory();

            long total;
            long? used;
            if (limit is { } l)
            {
                total = meminfo is { } m ? Math.Min(l, m.TotalBytes) : l;
                used = cgroupUsed;
            }
            else if (_studio.IsRunPod && RunPodMemBytes(_studio.RunPodMemGb) is { } podMemory)
            {
                total = meminfo is { } m ? Math.Min(podMemory, m.TotalBytes) : podMemory;
                used = cgroupUsed;
            }
            else if (meminfo is { } m)
            {
                total = m.TotalBytes;
                used = null;
            }
            else
            {
                Note("memory.none", "No memory figures found (no cgroup limit, no /proc/meminfo)");
                return new MemoryReading(0, 0);
            }
            used ??= meminfo is { } mi ? mi.TotalBytes - mi.AvailableBytes : 0;
            return new MemoryReading(total, Math.Clamp(used.Value, 0, total));
        }
        catch (Exception e)
        {
            Note("memory.error", "The memory figures could not be read", e);
            return new MemoryReading(0, 0);
        }
    }

    /// <summary>The cgroup's memory limit (null: none) and what it uses less its inactive file cache (null: unknown).</summary>
    private (long? Limit, long? Used) ReadCgroupMemory()
    {
        var self = HostParsers.ParseSelfCgroup(ReadHostFile("proc/self/cgroup"));
        if (CgroupDir("sys/fs/cgroup", self.Unified, "memory.max") is { } v2)
        {
            var current = HostParsers.ParseBytes(ReadHostFile(Path.Combine(v2, "memory.current")));
            var inactive = HostParsers.ParseStat(ReadHostFile(Path.Combine(v2, "memory.stat")), "inactive_file") ?? 0;
            return (HostParsers.ParseLimit(ReadHostFile(Path.Combine(v2, "memory.max"))),
                current is { } c ? Math.Max(0, c - inactive) : null);
        }
        if (CgroupDir("sys/fs/cgroup/memory", self.Memory, "memory.limit_in_bytes") is { } v1)
        {
            var stat = ReadHostFile(Path.Combine(v1, "memory.stat"));
            var usage = HostParsers.ParseBytes(ReadHostFile(Path.Combine(v1, "memory.usage_in_bytes")));
            var used = usage is { } u
                ? Math.Max(0, u - (HostParsers.ParseStat(stat, "total_inactive_file") ?? 0))
                : HostParsers.ParseStat(stat, "total_rss");
            return (HostParsers.ParseLimit(ReadHostFile(Path.Combine(v1, "memory.limit_in_bytes"))), used);
        }
        Note("memory.nocgroup", "No cgroup memory files found; memory figures come from /proc/meminfo");
        return (null, null);
    }

    /// <summary>
    /// The process's own cgroup folder under <paramref name="mount"/> when it is visible (no cgroup namespace),
    /// else the mount's root (a container sees its own cgroup there); null when neither has <paramref name="probe"/>.
    /// </summary>
    private string? CgroupDir(string mount, string? ownPath, string probe)
    {
        if (ownPath is { Length: > 1 })
        {
            var own = Path.Combine(mount, ownPath.TrimStart('/'));
            if (File.Exists(HostPath(Path.Combine(own, probe)))) return own;
        }
        return File.Exists(HostPath(Path.Combine(mount, probe))) ? mount : null;
    }

    /// <summary><c>RUNPOD_MEM_GB</c> in bytes (GB taken as 1024³, as the original product does), or null.</summary>
    internal static long? RunPodMemBytes(string? gb) =>
        double.TryParse(gb?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0
            && v < HostParsers.NoLimitThreshold / RunPodVolume.BytesPerGb
            ? (long)(v * RunPodVolume.BytesPerGb) : null;
}
