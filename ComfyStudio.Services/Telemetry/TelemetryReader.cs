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
public sealed partial class TelemetryReader : IDisposable
{
    /// <summary>The name of the <see cref="HttpClient"/> that talks to RunPod's API.</summary>
    public const string RunPodHttpClient = "runpod";

    private readonly TelemetryOptions _options;
    private readonly StudioOptions _studio;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, bool> _noted = new();
    private readonly CancellationTokenSource _disposed = new();

    public TelemetryReader(IOptions<TelemetryOptions> options, IOptions<StudioOptions> studio, IHttpClientFactory http,
        TimeProvider clock, ILogger<TelemetryReader> logger)
    {
        _options = options.Value;
        _studio = studio.Value;
        _http = http;
        _clock = clock;
        _logger = logger;
    }

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
