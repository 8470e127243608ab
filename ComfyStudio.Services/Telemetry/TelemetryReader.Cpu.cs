namespace ComfyStudio.Services.Telemetry;

/// <summary>The CPU reader: the load figure, and the utilisation from the cgroup's CPU time or /proc/stat between two readings.</summary>
public sealed partial class TelemetryReader
{


    /// <summary>Load, core count and clock speeds.</summary>
    public CpuReading ReadCpu()
    {
        var cores = Math.Max(1, Environment.ProcessorCount);
        try
        {
            var load1 = HostParsers.ParseLoad1(ReadHostFile("proc/loadavg"));
            if (load1 is null) Note("cpu.loadavg", "/proc/loadavg is missing or unreadable; CPU load shown as 0");
            const string cpufreq = "sys/devices/system/cpu/cpu0/cpufreq";
            var current = HostParsers.ParseCpuInfoMhz(ReadHostFile("proc/cpuinfo"))
                          ?? HostParsers.ParseKhzAsMhz(ReadHostFile($"{cpufreq}/scaling_cur_freq"));
            var min = HostParsers.ParseKhzAsMhz(ReadHostFile($"{cpufreq}/cpuinfo_min_freq"));
            var max = HostParsers.ParseKhzAsMhz(ReadHostFile($"{cpufreq}/cpuinfo_max_freq"));
            var (utilization, source) = Utilization();
            return new CpuReading((load1 ?? 0) / cores * 100, cores, current, min, max, utilization, source);
        }
        catch (Exception e)
        {
            Note("cpu.error", "The CPU figures could not be read", e);
            return new CpuReading(0, cores, null, null, null);
        }
    }

    /// <summary>A reading of the CPU time counters: busy and total in one unit (jiffies, or microseconds for a cgroup).</summary>
    private sealed record CpuCounters(string Source, double Busy, double Total, DateTimeOffset At);

    private readonly Lock _cpuLock = new();
    private CpuCounters? _cpuBaseline;
    private (double Percent, string Source) _cpuLast = (0, "none");

    /// <summary>
    /// The CPU in use since the previous measurement, 0–100. Readings closer than a second to the baseline answer
    /// the last figure (a burst of requests does not measure microseconds); the first one is the average since
    /// the counters began.
    /// </summary>
    private (double Percent, string Source) Utilization()
    {
        // Within a second of the last measurement nothing is read again: requests in a burst share its figure.
        lock (_cpuLock)
            if (_cpuBaseline is { } recent && _clock.GetUtcNow() - recent.At < TimeSpan.FromSeconds(1)) return _cpuLast;
        var now = ReadCpuCounters();
        if (now is null) return (0, "none");
        lock (_cpuLock)
        {
            var start = _cpuBaseline;
            double percent;
            if (start is not null && start.Source == now.Source && now.Total > start.Total)
                percent = (now.Busy - start.Busy) / (now.Total - start.Total) * 100;
            else if (now.Source == "proc_stat" && now.Total > 0)
                percent = now.Busy / now.Total * 100; // since boot
            else
            {
                _cpuBaseline = now;
                return _cpuLast = (0, now.Source);
            }
            _cpuBaseline = now;
            return _cpuLast = (Math.Round(Math.Clamp(percent, 0, 100), 1), now.Source);
        }
    }

    /// <summary>
    /// The cgroup's CPU time with the wall time times its quota as the total, where the cgroup has a quota (the pod's
    /// share, whatever the host does); else <c>/proc/stat</c>'s busy and total jiffies of the whole machine.
    /// </summary>
    private CpuCounters? ReadCpuCounters()
    {
        var at = _clock.GetUtcNow();
        var wallMicros = at.UtcTicks / 10.0;
        var self = HostParsers.ParseSelfCgroup(ReadHostFile("proc/self/cgroup"));
        if (CgroupDir("sys/fs/cgroup", self.Unified, "cpu.max") is { } v2
            && HostParsers.ParseCpuQuota(ReadHostFile(Path.Combine(v2, "cpu.max"))) is { } cores
            && HostParsers.ParseStat(ReadHostFile(Path.Combine(v2, "cpu.stat")), "usage_usec") is { } usage)
            return new CpuCounters("cgroup", usage, wallMicros * cores, at);
        foreach (var mount in new[] { "sys/fs/cgroup/cpu,cpuacct", "sys/fs/cgroup/cpu" })
        {
            if (CgroupDir(mount, self.Cpu, "cpu.cfs_quota_us") is { } v1
                && HostParsers.ParseCpuQuota(ReadHostFile(Path.Combine(v1, "cpu.cfs_quota_us")), ReadHostFile(Path.Combine(v1, "cpu.cfs_period_us"))) is { } quota
                && HostParsers.ParseBytes(ReadHostFile(Path.Combine(v1, "cpuacct.usage"))) is { } nanos)
                return new CpuCounters("cgroup", nanos / 1000.0, wallMicros * quota, at);
        }
        if (HostParsers.ParseProcStat(ReadHostFile("proc/stat")) is { } stat) return new CpuCounters("proc_stat", stat.Busy, stat.Total, at);
        Note("cpu.stat", "Neither a cgroup CPU quota nor /proc/stat is readable; CPU utilisation shown as 0");
        return null;
    }
}
