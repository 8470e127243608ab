using System.ComponentModel.DataAnnotations;

namespace ComfyStudio.Services.Telemetry;

/// <summary>How telemetry is read and sampled; configuration section <c>Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Time between two samples of <see cref="TelemetrySampler"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")] public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>How far back <see cref="TelemetrySampler.History"/> reaches.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")] public TimeSpan HistoryLength { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The nvidia-smi program: a name looked up on PATH, or a full path.</summary>
    public string NvidiaSmiPath { get; set; } = "nvidia-smi";
    /// <summary>nvidia-smi is killed, and the GPUs reported unknown, when it takes longer than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")] public TimeSpan NvidiaSmiTimeout { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>A GPU reading is reused for this long, so the sampler and API calls together start few processes.</summary>
    public TimeSpan GpuCacheFor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The root under which <c>proc/</c> and <c>sys/</c> are read (tests point it at captured files).</summary>
    public string HostRoot { get; set; } = "/";

    /// <summary>RunPod's network volume, whose used size <c>du</c> measures.</summary>
    public string WorkspacePath { get; set; } = "/workspace";
    /// <summary>The du program.</summary>
    public string DuPath { get; set; } = "du";
    /// <summary>A du figure is reused for this long before a new du runs in the background.</summary>
    public TimeSpan DuCacheFor { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>How long a caller with no du figure yet waits for the first one (the file system answers after that).</summary>
    public TimeSpan DuFirstWait { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>A du still running after this long is killed (large volumes take minutes).</summary>
    public TimeSpan DuTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>RunPod's GraphQL API, asked for the network volume's size.</summary>
    public string RunPodGraphQlUrl { get; set; } = "https://api.runpod.io/graphql";
    /// <summary>After RunPod gave no volume size (an error, or a pod without a network volume), it is asked again only after this.</summary>
    public TimeSpan RunPodRetryAfter { get; set; } = TimeSpan.FromMinutes(5);
}
