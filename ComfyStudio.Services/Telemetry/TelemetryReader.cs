using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Telemetry;

/// <summary>
/// Reads the machine's GPUs, CPU, memory and data volume. Every read answers: a source that is missing, garbled
/// or slow gives zeros or null (and one Debug log line per kind of trouble), never an exception, except
/// <see cref="OperationCanceledException"/> when the caller cancels.
/// </summary>
/// <remarks>
/// <para><b>GPUs</b>: nvidia-smi, killed after <see cref="TelemetryOptions.NvidiaSmiTimeout"/>; one reading serves
/// every caller for <see cref="TelemetryOptions.GpuCacheFor"/>. When nvidia-smi is not installed it is looked
/// for again only once a minute.</para>
/// <para><b>Memory</b>: the container's cgroup limit where there is one (never more than the machine's
/// <c>MemTotal</c>). Used memory is the cgroup's charge less its inactive page cache, as <c>docker stats</c>
/// counts it (v2 <c>memory.current − inactive_file</c>; v1 <c>memory.usage_in_bytes − total_inactive_file</c>,
/// or <c>total_rss</c> when the usage file is missing): file cache the kernel drops under pressure is not
/// memory the pod lacks. Without a limit: <c>RUNPOD_MEM_GB</c> × 1024³ on RunPod, else <c>/proc/meminfo</c>
/// (<c>MemTotal</c>, used = <c>MemTotal − MemAvailable</c>).</para>
/// <para><b>CPU</b>: the one-minute load average over <see cref="Environment.ProcessorCount"/> (which already
/// honours the cgroup CPU quota and affinity). Note that <c>/proc/loadavg</c> is the host's.</para>
/// <para><b>Disk</b>: on RunPod with an API key and pod id, the network volume's size from RunPod's GraphQL API
/// (cached for the life of the process once known) and its used bytes from <c>du -sb</c>, run in the background
/// at most every <see cref="TelemetryOptions.DuCacheFor"/>, because statvfs is unreliable on network volumes.
/// Otherwise, and whenever that fails, the file system holding <c>STUDIO_DIR</c> (used as <c>df</c> counts it).</para>
/// </remarks>
public sealed class TelemetryReader : IDisposable
{
    /// <summary>The name of the <see cref="HttpClient"/> that talks to RunPod's API.</summary>
    public const string RunPodHttpClient = "runpod";

    private static readonly TimeSpan NotInstalledRetryAfter = TimeSpan.FromMinutes(1);

    private readonly TelemetryOptions _options;
    private readonly StudioOptions _studio;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, bool> _noted = new();
    private readonly CancellationTokenSource _disposed = new();

    private readonly SemaphoreSlim _gpuGate = new(1, 1);
    private volatile GpuCache? _gpuCache;

    private readonly SemaphoreSlim _volumeGate = new(1, 1);
    private long _volumeBytes;
    private DateTimeOffset _volumeRetryAt = DateTimeOffset.MinValue;

    private readonly Lock _duLock = new();
    private long? _duBytes;
    private DateTimeOffset _duAttemptAt = DateTimeOffset.MinValue;
    private Task<long?>? _duRun;

    public TelemetryReader(IOptions<TelemetryOptions> options, IOptions<StudioOptions> studio, IHttpClientFactory http,
        TimeProvider clock, ILogger<TelemetryReader> logger)
    {
        _options = options.Value;
        _studio = studio.Value;
        _http = http;
        _clock = clock;
        _logger = logger;
    }

    private sealed record GpuCache(DateTimeOffset Until, IReadOnlyList<GpuReading>? Gpus);

    /// <summary>Everything at once; the GPUs and the disk are read side by side.</summary>
    public async Task<TelemetrySnapshot> ReadAsync(CancellationToken ct = default)
    {
        var takenAt = _clock.GetUtcNow().UtcDateTime;
        var gpus = ReadGpusAsync(ct);
        var disk = ReadDiskAsync(ct);
        var cpu = ReadCpu();
        var memory = ReadMemory();
        return new TelemetrySnapshot(takenAt, await gpus, cpu, memory, await disk);
    }

    // ── GPUs ────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>The GPUs nvidia-smi lists, or null when it is absent, fails, times out or lists none.</summary>
    public async Task<IReadOnlyList<GpuReading>?> ReadGpusAsync(CancellationToken ct = default)
    {
        if (_gpuCache is { } fresh && _clock.GetUtcNow() < fresh.Until) return fresh.Gpus;
        await _gpuGate.WaitAsync(ct);
        try
        {
            // Whoever waited while another caller ran nvidia-smi takes that caller's answer.
            if (_gpuCache is { } cached && _clock.GetUtcNow() < cached.Until) return cached.Gpus;
            var (gpus, keepFor) = await QueryGpusAsync(ct);
            _gpuCache = new GpuCache(_clock.GetUtcNow() + keepFor, gpus);
            return gpus;
        }
        finally
        {
            _gpuGate.Release();
        }
    }

    private async Task<(IReadOnlyList<GpuReading>? Gpus, TimeSpan KeepFor)> QueryGpusAsync(CancellationToken ct)
    {
        try
        {
            var run = await ExternalProgram.RunAsync(_options.NvidiaSmiPath, NvidiaSmi.Arguments, _options.NvidiaSmiTimeout, ct);
            switch (run.Outcome)
            {
                case ProgramOutcome.NotStarted:
                    Note("gpu.absent", $"nvidia-smi ('{_options.NvidiaSmiPath}') could not be started; no GPU figures");
                    return (null, Max(NotInstalledRetryAfter, _options.GpuCacheFor));
                case ProgramOutcome.TimedOut:
                    Note("gpu.timeout", $"nvidia-smi ran longer than {_options.NvidiaSmiTimeout.TotalSeconds:0.#} s and was stopped");
                    return (null, _options.GpuCacheFor);
                case ProgramOutcome.Exited when run.ExitCode != 0:
                    Note("gpu.exit", $"nvidia-smi exited with code {run.ExitCode}");
                    return (null, _options.GpuCacheFor);
            }
            var gpus = NvidiaSmi.Parse(run.StandardOutput);
            if (gpus.Count == 0) Note("gpu.empty", "nvidia-smi listed no GPU");
            return (gpus.Count > 0 ? gpus : null, _options.GpuCacheFor);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Note("gpu.error", "nvidia-smi could not be read", e);
            return (null, _options.GpuCacheFor);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // ── CPU ─────────────────────────────────────────────────────────────────────────────────────────────────

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

    // ── Memory ──────────────────────────────────────────────────────────────────────────────────────────────

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

    // ── Disk ────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>The data volume: RunPod's network volume where it can be measured, else STUDIO_DIR's file system.</summary>
    public async Task<DiskReading> ReadDiskAsync(CancellationToken ct = default)
    {
        if (_studio.IsRunPod && !string.IsNullOrWhiteSpace(_studio.RunPodApiKey) && !string.IsNullOrWhiteSpace(_studio.RunPodPodId))
        {
            try
            {
                if (await VolumeBytesAsync(ct) is { } total && await DuBytesAsync(ct) is { } used)
                    return new DiskReading(_options.WorkspacePath, total, used);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Note("disk.runpod", "The RunPod volume could not be measured; the file system answers", e);
            }
        }
        return ReadFileSystem(_studio.StudioDir ?? _options.WorkspacePath);
    }

    private DiskReading ReadFileSystem(string path)
    {
        try
        {
            var space = FileSystemSpace.Of(path);
            return new DiskReading(path, space.TotalBytes, space.UsedBytes, space.AvailableBytes);
        }
        catch (Exception e)
        {
            Note("disk.fs", $"The file system of '{path}' could not be measured", e);
            return new DiskReading(path, 0, 0);
        }
    }

    /// <summary>The network volume's size from RunPod, asked once; after a failure, again only after a while.</summary>
    private async Task<long?> VolumeBytesAsync(CancellationToken ct)
    {
        if (Interlocked.Read(ref _volumeBytes) is > 0 and var known) return known;
        await _volumeGate.WaitAsync(ct);
        try
        {
            if (_volumeBytes > 0) return _volumeBytes;
            if (_clock.GetUtcNow() < _volumeRetryAt) return null;
            var gb = await AskRunPodAsync(ct);
            if (gb is null)
            {
                _volumeRetryAt = _clock.GetUtcNow() + _options.RunPodRetryAfter;
                return null;
            }
            Interlocked.Exchange(ref _volumeBytes, gb.Value * RunPodVolume.BytesPerGb);
            return _volumeBytes;
        }
        finally
        {
            _volumeGate.Release();
        }
    }

    private async Task<long?> AskRunPodAsync(CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _options.RunPodGraphQlUrl)
            {
                Content = new StringContent(RunPodVolume.RequestBody(_studio.RunPodPodId!), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _studio.RunPodApiKey);
            using var response = await _http.CreateClient(RunPodHttpClient).SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                Note("disk.runpod.status", $"RunPod's API answered {(int)response.StatusCode} to the volume size question");
                return null;
            }
            var gb = RunPodVolume.ParseSizeGb(body);
            if (gb is null) Note("disk.runpod.size", "RunPod's API gave no network volume size (no volume, or an error)");
            return gb;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Deliberately without the exception's text: nothing here may echo the request's key.
            Note("disk.runpod.http", $"RunPod's API could not be reached ({e.GetType().Name})");
            return null;
        }
    }

    /// <summary>
    /// The last du figure, starting a new du in the background when it is older than
    /// <see cref="TelemetryOptions.DuCacheFor"/>. With no figure yet, waits for the running du up to
    /// <see cref="TelemetryOptions.DuFirstWait"/>; null when there is none by then.
    /// </summary>
    private async Task<long?> DuBytesAsync(CancellationToken ct)
    {
        long? cached;
        Task<long?>? run;
        lock (_duLock)
        {
            cached = _duBytes;
            if (_clock.GetUtcNow() - _duAttemptAt >= _options.DuCacheFor && _duRun is not { IsCompleted: false })
                _duRun = Task.Run(RunDuAsync, CancellationToken.None);
            run = _duRun;
        }
        if (cached is not null || run is null) return cached;
        try
        {
            return await run.WaitAsync(_options.DuFirstWait, _clock, ct);
        }
        catch (TimeoutException)
        {
            Note("disk.du.slow", $"du has not finished within {_options.DuFirstWait.TotalSeconds:0} s; the file system answers until it does");
            return null;
        }
    }

    private async Task<long?> RunDuAsync()
    {
        long? bytes = null;
        try
        {
            var run = await ExternalProgram.RunAsync(_options.DuPath, ["-sb", _options.WorkspacePath], _options.DuTimeout, _disposed.Token);
            // du exits 1 when some folder could not be read, yet still prints the total of the rest.
            bytes = run.Outcome == ProgramOutcome.Exited ? RunPodVolume.ParseDuBytes(run.StandardOutput) : null;
            if (bytes is null) Note("disk.du", $"du -sb {_options.WorkspacePath} gave no figure ({run.Outcome}, exit {run.ExitCode})");
        }
        catch (Exception e)
        {
            if (!_disposed.IsCancellationRequested) Note("disk.du.error", "du could not be run", e);
        }
        lock (_duLock)
        {
            if (bytes is not null) _duBytes = bytes;
            _duAttemptAt = _clock.GetUtcNow();
        }
        return bytes;
    }

    // ── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────

    private string HostPath(string relative) => Path.Combine(_options.HostRoot, relative);

    /// <summary>A text file under <see cref="TelemetryOptions.HostRoot"/>, or null when it is missing or unreadable.</summary>
    private string? ReadHostFile(string relative)
    {
        try
        {
            return File.ReadAllText(HostPath(relative));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Logs a kind of trouble at Debug, once for the life of the reader.</summary>
    private void Note(string key, string problem, Exception? e = null)
    {
        if (_noted.TryAdd(key, true))
            _logger.LogDebug(e, "Telemetry: {Problem}", problem);
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
