namespace ComfyStudio.Web.Api.Downloads;

/// <summary><c>GET /api/downloads</c>: the downloads, active ones first, and how many are active.</summary>
public sealed record DownloadList(IReadOnlyList<DownloadResource> Downloads, int Active, int Total);
