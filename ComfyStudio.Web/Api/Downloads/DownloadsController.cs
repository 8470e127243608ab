using System.Globalization;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using ComfyStudio.Web.Api.Conventions;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Downloads;

/// <summary>Spec B's download management, plus starting a download of files by URL (what preset installs use too).</summary>
[ApiController]
[Route("api/downloads")]
public sealed class DownloadsController(DownloadEngine engine) : ControllerBase
{
    public sealed record FileRequest(string? Url, string? Path, long? Size, string? Sha256);
    public sealed record CreateRequest(string? Name, List<FileRequest?>? Files, string? PresetId);
    public sealed record StateAnswer(string Status, string DownloadId);
    public sealed record CancelAnswer(string Status, string DownloadId, bool FilesRemoved);

    /// <summary>Downloads, active ones first, with overall and per-file progress.</summary>
    [HttpGet]
    public async Task<JsonObject> List([FromQuery] int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 1000) throw StudioException.Validation("limit must be between 1 and 1000");
        var views = await engine.ListAsync(limit: limit ?? 200, ct: ct);
        var (active, total) = await engine.CountAsync(ct);
        return new JsonObject
        {
            ["downloads"] = new JsonArray([.. views.Select(Resource)]),
            ["active"] = active,
            ["total"] = total,
        };
    }

    [HttpGet("{id}")]
    public async Task<JsonObject> Get(string id, CancellationToken ct) =>
        Resource(await engine.GetAsync(id, ct) ?? throw StudioException.NotFound($"Download '{Short(id)}' not found"));

    /// <summary>Starts downloading files (each: url, path under the models folder, optional size and sha256).</summary>
    [HttpPost]
    [ProducesResponseType<JsonObject>(StatusCodes.Status202Accepted)]
    public async Task<IActionResult> Create(CreateRequest request, CancellationToken ct)
    {
        var files = (request.Files ?? []).Select(f => new DownloadFileRequest(f?.Url ?? "", f?.Path ?? "", f?.Size, f?.Sha256)).ToList();
        if (request.Files?.Any(f => f is null) == true) throw StudioException.Validation("'files' must not contain null");
        var view = await engine.CreateAsync(new DownloadRequest(request.Name ?? "", files, request.PresetId), ct);
        return StatusCode(StatusCodes.Status202Accepted, Resource(view));
    }

    [HttpPost("{id}/pause")]
    public async Task<StateAnswer> Pause(string id, CancellationToken ct) => new(await engine.PauseAsync(id, ct), id);

    [HttpPost("{id}/resume")]
    public async Task<StateAnswer> Resume(string id, CancellationToken ct) => new(await engine.ResumeAsync(id, ct), id);

    /// <summary>Cancels a download and removes its partial files (never a completed file); a completed download is a 409.</summary>
    [HttpDelete("{id}")]
    public async Task<CancelAnswer> Cancel(string id, CancellationToken ct) => new("cancelled", id, await engine.CancelAsync(id, ct));

    public sealed record ClearAnswer(string Status, int Removed);

    /// <summary>Removes finished downloads (completed, failed, cancelled) from the list; files stay.</summary>
    [HttpPost("clear")]
    public async Task<ClearAnswer> Clear(CancellationToken ct) => new("cleared", await engine.ClearFinishedAsync(ct));

    /// <summary>Spec B's download fields, and ours beside them.</summary>
    internal static JsonObject Resource(DownloadView v) => new()
    {
        ["id"] = v.Id,
        ["preset_id"] = v.PresetId,
        ["name"] = v.Name,
        ["status"] = v.Status,
        ["progress"] = v.Progress,
        ["speed_mbps"] = v.SpeedMegabytesPerSecond,
        ["eta_seconds"] = v.EtaSeconds,
        ["current_file"] = v.CurrentFile,
        ["downloaded_bytes"] = v.DownloadedBytes,
        ["total_bytes"] = v.TotalBytes,
        ["files_total"] = v.FilesTotal,
        ["files_completed"] = v.FilesCompleted,
        ["error"] = v.Error,
        ["retrying"] = v.Retrying is { } r ? new JsonObject { ["attempt"] = r.Attempt, ["of"] = r.Of, ["reason"] = r.Reason } : null,
        ["created_at"] = ApiTime.Iso(v.CreatedAt),
        ["started_at"] = v.StartedAt is { } s ? ApiTime.Iso(s) : null,
        ["finished_at"] = v.FinishedAt is { } f ? ApiTime.Iso(f) : null,
        ["files"] = new JsonArray([.. v.Files.Select(file => (JsonNode)new JsonObject
        {
            ["path"] = file.Path, ["url"] = file.Url, ["status"] = file.Status, ["progress"] = file.Progress,
            ["downloaded_bytes"] = file.DownloadedBytes, ["total_bytes"] = file.TotalBytes,
            ["error"] = file.Error, ["error_code"] = ErrorCodes.ForClients(file.ErrorCode),
            ["access_denied"] = file.ErrorCode == ErrorCodes.AccessDenied, ["sha256"] = file.Sha256,
            ["verified"] = file.Verified,
        })]),
    };

    private static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
