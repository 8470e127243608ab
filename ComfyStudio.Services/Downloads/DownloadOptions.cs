using System.ComponentModel.DataAnnotations;

namespace ComfyStudio.Services.Downloads;

/// <summary>The download engine's settings (section <c>Downloads</c>); the concurrency is the System API's <c>max_concurrent</c>.</summary>
public sealed class DownloadOptions
{
    public const string Section = "Downloads";

    /// <summary>Connections per file when the server takes ranges.</summary>
    [Range(1, 64)] public int Connections { get; set; } = 8;
    /// <summary>Work is split into chunks of this size; an idle connection splits a running chunk in two.</summary>
    [Range(64L * 1024, 4L * 1024 * 1024 * 1024)] public long ChunkBytes { get; set; } = 32L * 1024 * 1024;
    /// <summary>A running chunk is split only when both halves keep at least this much.</summary>
    [Range(4L * 1024, 1L * 1024 * 1024 * 1024)] public long MinSplitBytes { get; set; } = 2L * 1024 * 1024;
    /// <summary>No bytes for this long drops the connection and retries it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")] public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Failed requests in a row (without a byte of progress between them) before a file fails.</summary>
    [Range(1, 1000)] public int MaxAttempts { get; set; } = 8;
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")] public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>A server's <c>Retry-After</c> is waited out up to this long (a longer one is cut to it).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")] public TimeSpan RetryAfterMaxDelay { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Free space to leave on the volume beyond what the files still need.</summary>
    [Range(0, long.MaxValue)] public long DiskMarginBytes { get; set; } = 512L * 1024 * 1024;
    /// <summary>How often live progress is pushed (to <c>/ws</c> and the pages).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")] public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>How often a file's written ranges are flushed to disk and recorded (what a restart resumes from).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")] public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Read buffer per connection.</summary>
    [Range(4 * 1024, 64 * 1024 * 1024)] public int BufferBytes { get; set; } = 256 * 1024;
    /// <summary>Hosts that get <c>HF_TOKEN</c> as a bearer token.</summary>
    public string[] HuggingFaceHosts { get; set; } = ["huggingface.co", "hf.co"];
    /// <summary>Hosts that get <c>CIVITAI_API_KEY</c> as <c>?token=</c> (subdomains included).</summary>
    public string[] CivitaiHosts { get; set; } = ["civitai.com"];
}
