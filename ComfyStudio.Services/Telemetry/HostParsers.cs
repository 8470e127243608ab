using System.Globalization;

namespace ComfyStudio.Services.Telemetry;

/// <summary>
/// Parsers for Linux's text files: <c>/proc</c> and the cgroup files under <c>/sys/fs/cgroup</c>. Pure: they
/// take a file's text and return null for anything they cannot read, never throw.
/// </summary>
internal static class HostParsers
{
    /// <summary>
    /// cgroup v1 writes "no limit" as the largest page-aligned counter (9223372036854771712 with 4 KiB pages,
    /// other values with other page sizes); anything from 2^62 up is treated as no limit.
    /// </summary>
    public const long NoLimitThreshold = 1L << 62;

    /// <summary><c>MemTotal</c> and <c>MemAvailable</c> (kB). Kernels before 3.14 lack MemAvailable: MemFree + Buffers + Cached then.</summary>
    public static MemInfo? ParseMemInfo(string? text)
    {
        if (text is null) return null;
        long? total = null, available = null, free = null, buffers = null, cached = null;
        foreach (var line in Lines(text))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var key = line[..colon];
            var value = line[(colon + 1)..].Trim();
            if (value.EndsWith("kB", StringComparison.Ordinal)) value = value[..^2].TrimEnd();
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var kb)) continue;
            var bytes = kb * 1024;
            switch (key)
            {
                case "MemTotal": total = bytes; break;
                case "MemAvailable": available = bytes; break;
                case "MemFree": free = bytes; break;
                case "Buffers": buffers = bytes; break;
                case "Cached": cached = bytes; break;
            }
        }
        if (total is not > 0) return null;
        available ??= free is { } f ? f + (buffers ?? 0) + (cached ?? 0) : null;
        return available is { } a ? new MemInfo(total.Value, Math.Clamp(a, 0, total.Value)) : null;
    }

    /// <summary>The one-minute load average, the first field of <c>/proc/loadavg</c> (<c>0.41 0.87 1.00 1/84 31006</c>).</summary>
    public static double? ParseLoad1(string? text)
    {
        var first = text?.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is not null && double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
               && double.IsFinite(v) && v >= 0 ? v : null;
    }

    /// <summary>The average of the <c>cpu MHz</c> lines of <c>/proc/cpuinfo</c> (one per logical CPU on x86; none on most ARM machines).</summary>
    public static double? ParseCpuInfoMhz(string? text)
    {
        if (text is null) return null;
        double sum = 0;
        var count = 0;
        foreach (var line in Lines(text))
        {
            if (!line.StartsWith("cpu MHz", StringComparison.Ordinal)) continue;
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            if (double.TryParse(line[(colon + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var mhz)
                && double.IsFinite(mhz) && mhz > 0)
            {
                sum += mhz;
                count++;
            }
        }
        return count > 0 ? sum / count : null;
    }

    /// <summary>A cpufreq file (<c>cpuinfo_max_freq</c> and the like), which counts in kHz, in MHz.</summary>
    public static double? ParseKhzAsMhz(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var khz) && khz > 0 ? khz / 1000.0 : null;

    /// <summary>A byte count (<c>memory.current</c>, <c>memory.usage_in_bytes</c>), or null.</summary>
    public static long? ParseBytes(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>
    /// A memory limit (v2 <c>memory.max</c>, v1 <c>memory.limit_in_bytes</c>): the number of bytes, or null for
    /// no limit (<c>max</c>, v1's huge sentinel) and for anything unreadable.
    /// </summary>
    public static long? ParseLimit(string? text)
    {
        var v = ParseBytes(text);
        return v is > 0 and < NoLimitThreshold ? v : null;
    }

    /// <summary>One counter of a <c>memory.stat</c> file (<c>inactive_file 8192</c>).</summary>
    public static long? ParseStat(string? text, string key)
    {
        if (text is null) return null;
        foreach (var line in Lines(text))
        {
            var space = line.IndexOf(' ');
            if (space == key.Length && line.StartsWith(key, StringComparison.Ordinal))
                return ParseBytes(line[(space + 1)..]);
        }
        return null;
    }

    /// <summary>
    /// <c>/proc/self/cgroup</c>: <c>0::/path</c> is the unified (v2) hierarchy, <c>N:…memory…:/path</c> the v1
    /// memory controller's.
    /// </summary>
    public static CgroupPaths ParseSelfCgroup(string? text)
    {
        string? unified = null, memory = null, cpu = null;
        foreach (var line in Lines(text ?? ""))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3 || !parts[2].StartsWith('/')) continue;
            var controllers = parts[1].Split(',');
            if (parts[0] == "0" && parts[1].Length == 0) unified = parts[2];
            else if (controllers.Contains("memory")) memory = parts[2];
            else if (controllers.Contains("cpu")) cpu = parts[2];
        }
        return new CgroupPaths(unified, memory, cpu);
    }

    /// <summary>
    /// The first line of <c>/proc/stat</c> (<c>cpu user nice system idle iowait irq softirq steal …</c>) as busy and
    /// total jiffies: idle and iowait are idle, guest time is already inside user and nice.
    /// </summary>
    public static (long Busy, long Total)? ParseProcStat(string? text)
    {
        var line = text is null ? null : Lines(text).FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null) return null;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => long.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray();
        if (fields.Length < 4 || fields.Any(f => f < 0)) return null;
        var total = fields.Sum();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        return (total - idle, total);
    }

    /// <summary>
    /// A CPU quota in cores: v2 <c>cpu.max</c> (<c>200000 100000</c>; <c>max …</c> is none) or v1's
    /// <c>cpu.cfs_quota_us</c> over <c>cpu.cfs_period_us</c> (<c>-1</c> is none); null for none or unreadable.
    /// </summary>
    public static double? ParseCpuQuota(string? maxOrQuota, string? period = null)
    {
        var parts = (maxOrQuota ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) return null;
        var periodText = parts.Length > 1 ? parts[1] : period?.Trim();
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var quota) || quota <= 0) return null;
        if (!long.TryParse(periodText, NumberStyles.None, CultureInfo.InvariantCulture, out var per) || per <= 0) return null;
        return (double)quota / per;
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
