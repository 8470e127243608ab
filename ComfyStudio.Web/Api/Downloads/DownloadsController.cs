using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Downloads;

/// <summary>The Dashboard API's download management, plus starting a download of files by URL (what preset installs use too).</summary>
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
    public async Task<DownloadList> List([FromQuery] int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 1000) throw StudioException.Validation("limit must be between 1 and 1000");
        var views = await engine.ListAsync(limit: limit ?? 200, ct: ct);
        var (active, total) = await engine.CountAsync(ct);
        return new DownloadList([.. views.Select(DownloadResource.From)], active, total);
    }

    [HttpGet("{id}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<DownloadResource> Get(string id, CancellationToken ct) =>
        DownloadResource.From(await engine.GetAsync(id, ct) ?? throw StudioException.NotFound($"Download '{Short(id)}' not found"));

    /// <summary>Starts downloading files (each: url, path under the models folder, optional size and sha256).</summary>
    [HttpPost]
    [ProducesResponseType<DownloadResource>(StatusCodes.Status202Accepted)]
    public async Task<ActionResult<DownloadResource>> Create(CreateRequest request, CancellationToken ct)
    {
        var files = (request.Files ?? []).Select(f => new DownloadFileRequest(f?.Url ?? "", f?.Path ?? "", f?.Size, f?.Sha256)).ToList();
        if (request.Files?.Any(f => f is null) == true) throw StudioException.Validation("'files' must not contain null");
        var view = await engine.CreateAsync(new DownloadRequest(request.Name ?? "", files, request.PresetId), ct: ct);
        return StatusCode(StatusCodes.Status202Accepted, DownloadResource.From(view));
    }

    [HttpPost("{id}/pause")]
    public async Task<StateAnswer> Pause(string id, CancellationToken ct) => new(await engine.PauseAsync(id, ct), id);

    [HttpPost("{id}/resume")]
    public async Task<StateAnswer> Resume(string id, CancellationToken ct) => new(await engine.ResumeAsync(id, ct), id);

    /// <summary>Cancels a download and removes its partial files (never a completed file); a completed download is a 409.</summary>
    [HttpDelete("{id}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status409Conflict)]
    public async Task<CancelAnswer> Cancel(string id, CancellationToken ct) => new(DownloadStates.Cancelled, id, await engine.CancelAsync(id, ct));

    public sealed record ClearAnswer(string Status, int Removed);

    /// <summary>Removes finished downloads (completed, failed, cancelled) from the list; files stay.</summary>
    [HttpPost("clear")]
    public async Task<ClearAnswer> Clear(CancellationToken ct) => new("cleared", await engine.ClearFinishedAsync(ct));

    private static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
