using ComfyStudio.Services.Telemetry;
using ComfyStudio.Tests.Infrastructure;
using static ComfyStudio.Tests.Telemetry.TelemetryTestKit;

namespace ComfyStudio.Tests.Telemetry;

/// <summary>CPU utilisation, 0–100: /proc/stat deltas, or the cgroup's CPU time against its quota where it has one.</summary>
public sealed class CpuUtilizationTests : IDisposable
{
    private readonly TempDir _root = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));

    public void Dispose() => _root.Dispose();

    private static string ProcStat(long user, long system, long idle) =>
        $"cpu  {user} 0 {system} {idle} 0 0 0 0 0 0\ncpu0 {user} 0 {system} {idle} 0 0 0 0 0 0\nintr 1 2 3\n";

    [Fact]
    public void Proc_stat_deltas_give_the_share_busy_since_the_last_reading_whatever_the_load_average()
    {
        Write(_root, "proc/loadavg", "64.00 32.00 16.00 3/900 12345\n"); // far more runnable threads than cores
        Write(_root, "proc/stat", ProcStat(user: 1000, system: 0, idle: 9000));
        var reader = Reader(Offline(_root), clock: _clock);
        var first = reader.ReadCpu();
        Assert.Equal(10, first.UtilizationPercent); // since boot: 1000 of 10000 jiffies
        Assert.True(first.LoadPercent > 100, "the load figure stays what the System API defines");

        _clock.Advance(TimeSpan.FromSeconds(3));
        Write(_root, "proc/stat", ProcStat(user: 1000 + 60, system: 15, idle: 9000 + 25)); // 75 of 100 busy
        var second = reader.ReadCpu();
        Assert.Equal(75, second.UtilizationPercent);
        Assert.Equal("proc_stat", second.UtilizationSource);

        // Within a second of the last measurement the figure is kept, not measured over microseconds.
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        Write(_root, "proc/stat", ProcStat(user: 1060, system: 15, idle: 9100));
        Assert.Equal(75, reader.ReadCpu().UtilizationPercent);
    }

    [Fact]
    public void A_cgroup_quota_measures_the_pods_cpu_time_against_its_cores()
    {
        Write(_root, "proc/stat", ProcStat(user: 0, system: 0, idle: 100)); // the host looks idle
        Write(_root, "proc/self/cgroup", "0::/\n");
        Write(_root, "sys/fs/cgroup/cpu.max", "200000 100000\n"); // 2 cores
        Write(_root, "sys/fs/cgroup/cpu.stat", "usage_usec 5000000\nuser_usec 4000000\nsystem_usec 1000000\n");
        var reader = Reader(Offline(_root), clock: _clock);
        reader.ReadCpu();
        _clock.Advance(TimeSpan.FromSeconds(4));
        Write(_root, "sys/fs/cgroup/cpu.stat", "usage_usec 11000000\nuser_usec 9000000\nsystem_usec 2000000\n"); // 6 s of CPU in 4 s on 2 cores
        var cpu = reader.ReadCpu();
        Assert.Equal("cgroup", cpu.UtilizationSource);
        Assert.Equal(75, cpu.UtilizationPercent);

        // More CPU time than the quota allows (a burst) still reads at most 100.
        _clock.Advance(TimeSpan.FromSeconds(1));
        Write(_root, "sys/fs/cgroup/cpu.stat", "usage_usec 16000000\n");
        Assert.Equal(100, reader.ReadCpu().UtilizationPercent);
    }

    [Fact]
    public void A_v1_cgroup_quota_and_no_quota_at_all()
    {
        Write(_root, "proc/stat", ProcStat(user: 50, system: 0, idle: 50));
        Write(_root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "100000\n"); // 1 core
        Write(_root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        Write(_root, "sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", "0\n");
        var reader = Reader(Offline(_root), clock: _clock);
        reader.ReadCpu();
        _clock.Advance(TimeSpan.FromSeconds(2));
        Write(_root, "sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", "500000000\n"); // 0.5 s in 2 s on 1 core
        Assert.Equal(25, reader.ReadCpu().UtilizationPercent);

        Write(_root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n"); // no quota: the machine's figure
        Assert.Equal(new CgroupPaths(null, null, "/docker/x"), HostParsers.ParseSelfCgroup("4:cpu,cpuacct:/docker/x\n"));
        var unlimited = Reader(Offline(_root), clock: _clock).ReadCpu();
        Assert.Equal(("proc_stat", 50.0), (unlimited.UtilizationSource, unlimited.UtilizationPercent));
    }

    [Theory]
    [InlineData("max 100000", null, null)]
    [InlineData("150000 100000", null, 1.5)]
    [InlineData("-1", "100000", null)]
    [InlineData("50000", "100000", 0.5)]
    [InlineData("garbage", null, null)]
    public void Quotas_parse(string max, string? period, double? cores) => Assert.Equal(cores, HostParsers.ParseCpuQuota(max, period));
}
