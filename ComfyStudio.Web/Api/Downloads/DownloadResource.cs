using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.Downloads;

/// <summary>A download as the Dashboard API shows it, with exact byte counts and per-file states beside its fields.</summary>
public sealed record DownloadResource(
    string Id, string? PresetId, string Name, string Status, double Progress, double SpeedMbps, long? EtaSeconds,
    string? CurrentFile, long DownloadedBytes, long TotalBytes, int FilesTotal, int FilesCompleted, string? Error,
    DownloadResource.RetryResource? Retrying, string CreatedAt, string? StartedAt, string? FinishedAt,
    IReadOnlyList<DownloadResource.FileResource> Files)
{
    /// <summary>A transfer waiting to try again: attempt <c>attempt</c> of <c>of</c>, and why.</summary>
    public sealed record RetryResource(int Attempt, int Of, string Reason);

    public sealed record FileResource(
        string Path, string Url, string Status, double Progress, long DownloadedBytes, long? TotalBytes, string? Error,
        string? ErrorCode, bool AccessDenied, string? Sha256, string? Verified);

    public static DownloadResource From(DownloadView v) => new(
        v.Id, v.PresetId, v.Name, v.Status, v.Progress, v.SpeedMegabytesPerSecond, v.EtaSeconds, v.CurrentFile,
        v.DownloadedBytes, v.TotalBytes, v.FilesTotal, v.FilesCompleted, v.Error,
        v.Retrying is { } r ? new RetryResource(r.Attempt, r.Of, r.Reason) : null,
        ApiTime.Iso(v.CreatedAt), ApiTime.Iso(v.StartedAt), ApiTime.Iso(v.FinishedAt),
        [.. v.Files.Select(f => new FileResource(f.Path, f.Url, f.Status, f.Progress, f.DownloadedBytes, f.TotalBytes, f.Error,
            ErrorCodes.ForClients(f.ErrorCode), f.ErrorCode == ErrorCodes.AccessDenied, f.Sha256, f.Verified))]);
}
