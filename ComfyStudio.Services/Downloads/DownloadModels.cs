using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Services.Downloads;

/// <summary>A file to fetch: from <paramref name="Url"/> to <paramref name="Path"/> under the models folder.</summary>
public sealed record DownloadFileRequest(string Url, string Path, long? Size = null, string? Sha256 = null);

/// <summary>Files asked for together (a preset install, or files by URL).</summary>
public sealed record DownloadRequest(string Name, IReadOnlyList<DownloadFileRequest> Files, string? PresetId = null, int Priority = 0);

/// <summary>
/// A file of a download as the API and pages show it. <paramref name="Url"/> is masked (<see cref="UrlMask"/>);
/// <paramref name="Verified"/> says what proved a completed file right (<see cref="Verification"/>), null until then.
/// </summary>
public sealed record DownloadFileView(
    string Path, string Url, string Status, long DownloadedBytes, long? TotalBytes, double Progress, string? Error, string? ErrorCode, string? Sha256,
    string? Verified = null);

/// <summary>What proved a downloaded file right.</summary>
public static class Verification
{
    /// <summary>A SHA-256 known before the download (given, from the registry or the host) matched.</summary>
    public const string Sha256 = "sha256";
    /// <summary>No hash was known: the file has the size the request or the server gave, nothing more is proven.</summary>
    public const string Size = "size";
    /// <summary>Neither a hash nor a size was known (a stream without a length).</summary>
    public const string None = "none";
}

/// <summary>A download as the API and pages show it: stored state with the live progress laid over it.</summary>
public sealed record DownloadView(
    string Id, string? PresetId, string Name, string Status, double Progress, double SpeedBytesPerSecond, long? EtaSeconds,
    string? CurrentFile, long DownloadedBytes, long TotalBytes, int FilesTotal, int FilesCompleted, string? Error,
    DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, IReadOnlyList<DownloadFileView> Files, RetryState? Retrying = null)
{
    /// <summary>Below this speed (1 kB/s) no time left is estimated: the figure would say nothing true.</summary>
    public const double MinEtaBytesPerSecond = 1000;
    /// <summary>No estimate beyond 30 days.</summary>
    public const long MaxEtaSeconds = 30L * 24 * 3600;

    /// <summary>The time left at <paramref name="bytesPerSecond"/>, or null when the speed is too low or unknown to tell.</summary>
    public static long? EstimateSeconds(long remainingBytes, double bytesPerSecond)
    {
        if (remainingBytes <= 0 || !double.IsFinite(bytesPerSecond) || bytesPerSecond < MinEtaBytesPerSecond) return null;
        var seconds = Math.Ceiling(remainingBytes / bytesPerSecond);
        return seconds <= MaxEtaSeconds ? (long)seconds : null;
    }

    public static readonly IReadOnlySet<string> ActiveStates = new HashSet<string> { DownloadStates.Queued, DownloadStates.Downloading };
    public bool IsActive => ActiveStates.Contains(Status);
    public double SpeedMegabytesPerSecond => ByteSize.MegabytesPerSecond(SpeedBytesPerSecond);
}

/// <summary>Live progress of a running download, a few times a second (not stored).</summary>
public sealed record DownloadProgressed(DownloadView Download) : StudioEvent
{
    public override string Type => "download.progress";
    public override string Message => $"{Download.Name}: {Download.Progress:0.0}%";
    public override bool Persist => false;
}

public sealed record DownloadQueued(string DownloadId, string Name, int Files) : StudioEvent
{
    public override string Type => "download.queued";
    public override string Message => $"Download '{Name}' queued ({Files} file{(Files == 1 ? "" : "s")})";
    public override JsonObject? Data => new() { ["download_id"] = DownloadId, ["files"] = Files };
}

public sealed record DownloadCompleted(string DownloadId, string? PresetId, string Name, long Seconds) : StudioEvent
{
    public override string Type => "download.completed";
    public override EventSeverity Severity => EventSeverity.Success;
    public override string Message => $"Download '{Name}' completed in {Seconds} s";
    public override JsonObject? Data => new() { ["download_id"] = DownloadId, ["preset_id"] = PresetId, ["time_taken_seconds"] = Seconds };
}

public sealed record DownloadFailed(string DownloadId, string? PresetId, string Name, string? File, string Code, string Reason) : StudioEvent
{
    public override string Type => "download.failed";
    public override EventSeverity Severity => EventSeverity.Error;
    public override string Message => $"Download '{Name}' failed: {Reason}";
    public override JsonObject? Data => new()
    {
        ["download_id"] = DownloadId, ["preset_id"] = PresetId, ["file"] = File, ["code"] = Code, ["error"] = Reason,
    };
}

/// <summary>Paused, resumed or cancelled by the user.</summary>
public sealed record DownloadStateChanged(string DownloadId, string Name, string Status, string? PresetId = null) : StudioEvent
{
    public override string Type => "download." + Status;
    public override string Message => $"Download '{Name}' {Status}";
    public override JsonObject? Data => new() { ["download_id"] = DownloadId, ["status"] = Status };
}
