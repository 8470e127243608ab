using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Telemetry;
using static ComfyStudio.Tests.Telemetry.TelemetryTestKit;

namespace ComfyStudio.Tests.Telemetry;

/// <summary>Memory and CPU read from captured /proc and cgroup files under a throwaway host root.</summary>
public sealed class HostFilesTests : IDisposable
{
    private const long GiB = 1024L * 1024 * 1024;
    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    private MemoryReading Memory(StudioOptions? studio = null) => Reader(Offline(_root), studio).ReadMemory();
    private CpuReading Cpu() => Reader(Offline(_root)).ReadCpu();

    [Fact]
    public void Cgroup_v2_limit_with_used_less_inactive_file_cache()
    {
        Write(_root, "proc/meminfo", Captured.MemInfoHost);
        Write(_root, "sys/fs/cgroup/memory.max", Captured.V2MemoryMax);
        Write(_root, "sys/fs/cgroup/memory.current", Captured.V2MemoryCurrent);
        Write(_root, "sys/fs/cgroup/memory.stat", Captured.V2MemoryStat);
        var m = Memory();
        Assert.Equal(64 * GiB, m.TotalBytes);
        Assert.Equal(12884901888 - Captured.V2InactiveFile, m.UsedBytes);
        Assert.Equal(m.TotalBytes - m.UsedBytes, m.AvailableBytes);
        Assert.Equal(m.UsedBytes * 100.0 / m.TotalBytes, m.Percent, 9);
    }

    [Fact]
    public void Cgroup_v2_without_a_limit_falls_back_to_meminfo()
    {
        Write(_root, "proc/meminfo", Captured.MemInfo);
        Write(_root, "sys/fs/cgroup/memory.max", "max\n");
        Write(_root, "sys/fs/cgroup/memory.current", Captured.V2MemoryCurrent);
        var m = Memory();
        Assert.Equal(Captured.MemTotalBytes, m.TotalBytes);
        Assert.Equal(Captured.MemTotalBytes - Captured.MemAvailableBytes, m.UsedBytes);
    }

    [Fact]
    public void A_cgroup_limit_above_the_machine_memory_is_capped_at_MemTotal()
    {
        Write(_root, "proc/meminfo", Captured.MemInfo); // 23.5 GiB
        Write(_root, "sys/fs/cgroup/memory.max", Captured.V2MemoryMax); // 64 GiB
        Write(_root, "sys/fs/cgroup/memory.current", "1073741824\n");
        var m = Memory();
        Assert.Equal(Captured.MemTotalBytes, m.TotalBytes);
        Assert.Equal(1073741824, m.UsedBytes);
    }

    [Fact]
    public void Cgroup_v1_limit_with_usage_less_inactive_file_cache()
    {
        Write(_root, "proc/meminfo", Captured.MemInfoHost);
        Write(_root, "sys/fs/cgroup/memory/memory.limit_in_bytes", Captured.V1Limit);
        Write(_root, "sys/fs/cgroup/memory/memory.usage_in_bytes", Captured.V1Usage);
        Write(_root, "sys/fs/cgroup/memory/memory.stat", Captured.V1MemoryStat);
        var m = Memory();
        Assert.Equal(32 * GiB, m.TotalBytes);
        Assert.Equal(439480320 - Captured.V1TotalInactiveFile, m.UsedBytes);
    }

    [Fact]
    public void Cgroup_v1_without_a_usage_file_counts_total_rss()
    {
        Write(_root, "proc/meminfo", Captured.MemInfoHost);
        Write(_root, "sys/fs/cgroup/memory/memory.limit_in_bytes", Captured.V1Limit);
        Write(_root, "sys/fs/cgroup/memory/memory.stat", Captured.V1MemoryStat);
        Assert.Equal(Captured.V1TotalRss, Memory().UsedBytes);
    }

    [Fact]
    public void Cgroup_v1_no_limit_sentinel_falls_back_to_meminfo()
    {
        Write(_root, "proc/meminfo", Captured.MemInfo);
        Write(_root, "sys/fs/cgroup/memory/memory.limit_in_bytes", Captured.V1NoLimit);
        Write(_root, "sys/fs/cgroup/memory/memory.usage_in_bytes", Captured.V1Usage);
        Write(_root, "sys/fs/cgroup/memory/memory.stat", Captured.V1MemoryStat);
        var m = Memory();
        Assert.Equal(Captured.MemTotalBytes, m.TotalBytes);
        Assert.Equal(Captured.MemTotalBytes - Captured.MemAvailableBytes, m.UsedBytes);
    }

    [Fact]
    public void The_process_own_cgroup_is_read_when_its_folder_is_visible()
    {
        Write(_root, "proc/meminfo", Captured.MemInfoHost);
        Write(_root, "proc/self/cgroup", Captured.SelfCgroupV1Docker);
        Write(_root, "sys/fs/cgroup/memory/memory.limit_in_bytes", Captured.V1NoLimit); // the host's root cgroup
        Write(_root, "sys/fs/cgroup/memory/docker/4f1c2a7e9b/memory.limit_in_bytes", Captured.V1Limit);
        Write(_root, "sys/fs/cgroup/memory/docker/4f1c2a7e9b/memory.usage_in_bytes", Captured.V1Usage);
        Write(_root, "sys/fs/cgroup/memory/docker/4f1c2a7e9b/memory.stat", Captured.V1MemoryStat);
        var m = Memory();
        Assert.Equal(32 * GiB, m.TotalBytes);
        Assert.Equal(439480320 - Captured.V1TotalInactiveFile, m.UsedBytes);
    }

    [Fact]
    public void On_RunPod_without_a_cgroup_limit_RUNPOD_MEM_GB_is_the_total()
    {
        Write(_root, "proc/meminfo", Captured.MemInfoHost);
        Write(_root, "sys/fs/cgroup/memory.max", "max\n");
        Write(_root, "sys/fs/cgroup/memory.current", Captured.V2MemoryCurrent);
        Write(_root, "sys/fs/cgroup/memory.stat", Captured.V2MemoryStat);
        var m = Memory(new StudioOptions { Hosting = "runpod", RunPodMemGb = "125" });
        Assert.Equal(125 * GiB, m.TotalBytes);
        Assert.Equal(12884901888 - Captured.V2InactiveFile, m.UsedBytes);

        // Elsewhere the variable means nothing.
        Assert.Equal(Captured.HostMemTotalBytes, Memory(new StudioOptions { RunPodMemGb = "125" }).TotalBytes);
    }

    [Fact]
    public void Meminfo_alone()
    {
        Write(_root, "proc/meminfo", Captured.MemInfo);
        Assert.Equal(new MemoryReading(Captured.MemTotalBytes, Captured.MemTotalBytes - Captured.MemAvailableBytes), Memory());
    }

    [Fact]
    public void Meminfo_of_an_old_kernel_without_MemAvailable_counts_free_buffers_and_cache()
    {
        Write(_root, "proc/meminfo", "MemTotal:        1000 kB\nMemFree:          300 kB\nBuffers:           50 kB\nCached:           150 kB\n");
        Assert.Equal(new MemoryReading(1000 * 1024, 500 * 1024), Memory());
    }

    [Fact]
    public void Missing_or_garbled_files_give_zeros_not_exceptions()
    {
        Assert.Equal(new MemoryReading(0, 0), Memory());
        var cpu = Cpu();
        Assert.Equal((0.0, Environment.ProcessorCount, (double?)null, (double?)null, (double?)null),
            (cpu.LoadPercent, cpu.Count, cpu.FreqCurrentMhz, cpu.FreqMinMhz, cpu.FreqMaxMhz));

        Write(_root, "proc/meminfo", "\0\u0001garbage: lots kB\n");
        Write(_root, "proc/loadavg", "not a number\n");
        Write(_root, "proc/cpuinfo", "cpu MHz : fast\n");
        Write(_root, "sys/fs/cgroup/memory.max", "unlimited-ish\n");
        Write(_root, "sys/fs/cgroup/memory.current", "-12\n");
        Write(_root, "sys/fs/cgroup/memory.stat", "inactive_file many\n");
        Assert.Equal(new MemoryReading(0, 0), Memory());
        Assert.Equal(0, Cpu().LoadPercent);
        Assert.Null(Cpu().FreqCurrentMhz);
        Assert.Equal(0, new MemoryReading(0, 0).Percent);
    }

    [Fact]
    public void Load_average_over_the_cores()
    {
        Write(_root, "proc/loadavg", Captured.LoadAvg);
        var cpu = Cpu();
        Assert.Equal(Environment.ProcessorCount, cpu.Count);
        Assert.Equal(3.52 / Environment.ProcessorCount * 100, cpu.LoadPercent, 9);
    }

    [Fact]
    public void Cpu_clock_from_cpuinfo_and_cpufreq()
    {
        Write(_root, "proc/cpuinfo", Captured.CpuInfoX86);
        Assert.Equal((2445.404 + 3243.596) / 2, Cpu().FreqCurrentMhz!.Value, 6);
        Assert.Null(Cpu().FreqMinMhz);
        Assert.Null(Cpu().FreqMaxMhz);

        Write(_root, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_min_freq", "1500000\n");
        Write(_root, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "3529052\n");
        var cpu = Cpu();
        Assert.Equal((1500.0, 3529.052), (cpu.FreqMinMhz!.Value, cpu.FreqMaxMhz!.Value));
    }

    [Fact]
    public void Cpu_clock_of_a_machine_without_cpu_MHz_lines_comes_from_cpufreq()
    {
        Write(_root, "proc/cpuinfo", Captured.CpuInfoArm);
        Assert.Null(Cpu().FreqCurrentMhz);
        Write(_root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "2600000\n");
        Assert.Equal(2600.0, Cpu().FreqCurrentMhz);
    }

    [Theory]
    [InlineData("max", null)]
    [InlineData("max\n", null)]
    [InlineData("9223372036854771712", null)]
    [InlineData("9223372036854710272", null)] // v1's sentinel with 64 KiB pages
    [InlineData("0", null)]
    [InlineData("", null)]
    [InlineData("68719476736\n", 68719476736L)]
    public void Limits(string text, long? expected) => Assert.Equal(expected, HostParsers.ParseLimit(text));

    [Fact]
    public void Parsers_take_only_what_they_understand()
    {
        Assert.Equal(0.41, HostParsers.ParseLoad1("0.41 0.87 1.00 1/84 31006\n"));
        Assert.Null(HostParsers.ParseLoad1(""));
        Assert.Null(HostParsers.ParseLoad1(null));
        Assert.Equal(Captured.V1TotalRss, HostParsers.ParseStat(Captured.V1MemoryStat, "total_rss"));
        Assert.Equal(5206016, HostParsers.ParseStat(Captured.V1MemoryStat, "rss"));
        Assert.Null(HostParsers.ParseStat(Captured.V1MemoryStat, "nope"));
        Assert.Equal(new CgroupPaths("/docker/4f1c2a7e9b", "/docker/4f1c2a7e9b", "/docker/4f1c2a7e9b"), HostParsers.ParseSelfCgroup(Captured.SelfCgroupV1Docker));
        Assert.Equal(new CgroupPaths("/", null), HostParsers.ParseSelfCgroup("0::/\n"));
        Assert.Equal(62 * GiB, TelemetryReader.RunPodMemBytes("62"));
        Assert.Null(TelemetryReader.RunPodMemBytes("lots"));
        Assert.Null(TelemetryReader.RunPodMemBytes(""));
    }
}
