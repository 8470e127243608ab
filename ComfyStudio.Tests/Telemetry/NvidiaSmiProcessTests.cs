using System.Diagnostics;
using ComfyStudio.Services.Telemetry;
using static ComfyStudio.Tests.Telemetry.TelemetryTestKit;

namespace ComfyStudio.Tests.Telemetry;

/// <summary>nvidia-smi run for real: absent, a stand-in script, one that hangs.</summary>
public sealed class NvidiaSmiProcessTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private TelemetryReader Reader(string smi, TimeSpan? timeout = null) => TelemetryTestKit.Reader(new TelemetryOptions
    {
        HostRoot = _dir, NvidiaSmiPath = smi, NvidiaSmiTimeout = timeout ?? TimeSpan.FromSeconds(10),
    });

    [Fact]
    public async Task Without_nvidia_smi_there_are_no_gpus()
    {
        using var reader = Reader(Path.Combine(_dir, "bin", "nvidia-smi"));
        Assert.Null(await reader.ReadGpusAsync());
        Assert.Null((await reader.ReadAsync()).Gpus);
    }

    [Fact]
    public async Task Its_output_is_parsed_and_it_is_asked_with_the_query_arguments()
    {
        var args = Path.Combine(_dir, "args");
        var smi = Script(_dir, "nvidia-smi", $"""
            printf '%s\n' "$@" > '{args}'
            cat <<'CSV'
            {Captured.SmiTwo4090s.TrimEnd()}
            CSV
            """);
        using var reader = Reader(smi);
        var gpus = await reader.ReadGpusAsync();
        Assert.NotNull(gpus);
        Assert.Equal(NvidiaSmi.Parse(Captured.SmiTwo4090s), gpus);
        Assert.Equal(NvidiaSmi.Arguments, File.ReadAllLines(args));
    }

    [Fact]
    public async Task A_failing_nvidia_smi_or_one_that_lists_nothing_gives_null()
    {
        var failing = Script(_dir, "failing", $"echo \"{Captured.SmiNoDriver.TrimEnd()}\"\nexit 9");
        using (var reader = Reader(failing)) Assert.Null(await reader.ReadGpusAsync());
        var empty = Script(_dir, "empty", "exit 0");
        using (var reader = Reader(empty)) Assert.Null(await reader.ReadGpusAsync());
    }

    [Fact]
    public async Task One_that_hangs_is_killed_with_its_children_at_the_timeout()
    {
        var childPid = Path.Combine(_dir, "child.pid");
        var smi = Script(_dir, "hanging", $"sleep 30 &\necho $! > '{childPid}'\nwait");
        using var reader = Reader(smi, TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();
        Assert.Null(await reader.ReadGpusAsync());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");

        var pid = int.Parse(File.ReadAllText(childPid).Trim(), CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Running(pid) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(Running(pid), $"the child sleep ({pid}) outlived the timeout");
    }

    /// <summary>Alive and not a zombie waiting to be reaped.</summary>
    private static bool Running(int pid)
    {
        try
        {
            var status = File.ReadAllLines($"/proc/{pid}/status");
            return !status.Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z'));
        }
        catch (IOException) { return false; }
    }

    [Fact]
    public async Task Callers_within_a_second_share_one_run()
    {
        var runs = Path.Combine(_dir, "runs");
        var smi = Script(_dir, "counting", $"echo run >> '{runs}'\nsleep 0.2\nprintf '%s\\n' '{Captured.SmiH100.TrimEnd()}'");
        using var reader = Reader(smi);
        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => reader.ReadGpusAsync()));
        Assert.All(all, gpus => Assert.Equal("NVIDIA H100 80GB HBM3", Assert.Single(gpus!).Name));
        await reader.ReadGpusAsync();
        Assert.Single(File.ReadAllLines(runs));
    }

    [Fact]
    public async Task A_cancelled_read_throws_cancellation_and_nothing_else()
    {
        var smi = Script(_dir, "slow", "sleep 30");
        using var reader = Reader(smi);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.ReadGpusAsync(cts.Token));
    }
}
