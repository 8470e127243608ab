using System.Text.Json.Nodes;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Paging;
using ComfyStudio.Services.Workflows;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary>
/// The Dashboard API's ComfyUI routes: health, execute, the queue (read, clear, interrupt), the generations' history
/// (the studio's own record, which survives ComfyUI's restarts) and outputs through the studio. A ComfyUI that does
/// not answer is 503 <c>COMFYUI_UNAVAILABLE</c>.
/// </summary>
[ApiController]
[Route("api/comfyui")]
[ProducesResponseType<ErrorBody>(StatusCodes.Status503ServiceUnavailable)]
public sealed class ComfyUiController(ComfyUiClient comfyUi, Generations generations) : ControllerBase
{
    public sealed record ExecuteRequest(JsonObject? Workflow, int? Priority, string? Source, string? Name);

    [HttpGet("health")]
    public async Task<ComfyUiHealth> Health([FromServices] ComfyUiConnection connection, CancellationToken ct)
    {
        var probe = await comfyUi.ProbeAsync(ct);
        var queue = probe.IsRunning ? await comfyUi.QueueAsync(ct) : null;
        if (!probe.IsRunning || queue is null) throw comfyUi.Unavailable(probe.Error);
        return new ComfyUiHealth("healthy", probe.Version, new ComfyUiHealth.QueueCounts(queue.Pending.Count, queue.Running.Count), connection.Connected);
    }

    /// <summary>The running and pending prompts, by number.</summary>
    [HttpGet("queue")]
    public async Task<QueueResource> Queue(CancellationToken ct) => QueueResource.From(await comfyUi.QueueAsync(ct) ?? throw comfyUi.Unavailable());

    /// <summary>
    /// Queues an API-format graph (<c>workflow</c>). <c>priority</c> above 0 puts it at the front of the queue.
    /// ComfyUI's refusal is 400 <c>INVALID_WORKFLOW</c> with its per-node errors in <c>details.node_errors</c>;
    /// 507 <c>QUEUE_FULL</c> at the pending cap.
    /// </summary>
    [HttpPost("execute")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status507InsufficientStorage)]
    public async Task<ExecuteResult> Execute(ExecuteRequest request, [FromServices] ComfyUiConnection connection,
        [FromServices] IOptions<ComfyUiOptions> options, CancellationToken ct)
    {
        var graph = request.Workflow ?? throw new StudioException(ErrorCodes.InvalidWorkflow, "'workflow' is required: an API-format graph ({\"<node id>\": {\"class_type\", \"inputs\"}})");
        WorkflowShape.EnsureApiFormat(graph);
        var source = string.IsNullOrWhiteSpace(request.Source) ? "api" : request.Source.Trim();
        if (source.Length > 100 || source == Generations.SourceComfyUi) throw StudioException.Validation("'source' must be a name of up to 100 characters other than 'comfyui'");
        var (queued, _) = await generations.QueueAsync(graph, source, request.Name?.Trim() is { Length: > 0 } n ? n[..Math.Min(n.Length, 200)] : null,
            request.Priority > 0, connection.ClientId, options.Value.MaxPending, ct);
        return new ExecuteResult(queued.PromptId, queued.Number, GenerationStates.Queued, queued.NodeErrors);
    }

    /// <summary>Clears the queue: <c>type</c> pending (the default), running (interrupts it) or all.</summary>
    [HttpDelete("queue")]
    public async Task<QueueCleared> Clear([FromQuery] string? type, CancellationToken ct)
    {
        var which = (type ?? "pending").Trim().ToLowerInvariant();
        if (which is not ("pending" or "running" or "all")) throw StudioException.Validation("type must be all, pending or running");
        var queue = await comfyUi.QueueAsync(ct) ?? throw comfyUi.Unavailable();
        var cleared = 0;
        if (which is "pending" or "all" && queue.Pending.Count > 0)
        {
            var ids = queue.Pending.Select(p => p.PromptId).ToList();
            await generations.CancelAsync(ids, ct);
            cleared += ids.Count;
        }
        if (which is "running" or "all" && queue.Running.Count > 0)
        {
            await comfyUi.InterruptAsync(ct: ct);
            cleared += queue.Running.Count;
        }
        return new QueueCleared(cleared, "success");
    }

    /// <summary>Stops the running prompt.</summary>
    [HttpPost("interrupt")]
    public async Task<Interrupted> Interrupt(CancellationToken ct)
    {
        await comfyUi.InterruptAsync(ct: ct);
        return new Interrupted("interrupted");
    }

    /// <summary>Generations newest first, from the studio's record; <c>status</c> filters (queued, running, completed, failed, interrupted, cancelled).</summary>
    [HttpGet("history")]
    public async Task<GenerationList> History([FromQuery] string? status, [FromQuery] int? page, [FromQuery(Name = "per_page")] int? perPage, CancellationToken ct)
    {
        string[] known = [GenerationStates.Queued, GenerationStates.Running, GenerationStates.Completed, GenerationStates.Failed,
            GenerationStates.Interrupted, GenerationStates.Cancelled];
        var wanted = string.IsNullOrWhiteSpace(status) ? null : status.Trim().ToLowerInvariant();
        if (wanted is not null && !known.Contains(wanted)) throw StudioException.Validation($"status must be one of {string.Join(", ", known)}");
        return GenerationList.From(await generations.ListAsync(wanted, PageRequest.From(page, perPage), ct));
    }

    [HttpGet("history/{promptId}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<GenerationResource> Generation(string promptId, CancellationToken ct) =>
        GenerationResource.From(await generations.GetAsync(promptId, ct)
                                ?? throw StudioException.NotFound($"No generation '{(promptId.Length > 40 ? promptId[..40] + "…" : promptId)}'"));

    /// <summary>
    /// Removes a finished generation from the history; <c>outputs=true</c> also deletes its images from ComfyUI's output
    /// folder (never one another generation shows). 404 for an unknown or unfinished one.
    /// </summary>
    [HttpDelete("history/{promptId}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<GenerationDeleted> DeleteGeneration(string promptId, [FromQuery] bool? outputs, CancellationToken ct) =>
        new("deleted", promptId, await generations.DeleteAsync(promptId, outputs == true, ct)
                                 ?? throw StudioException.NotFound("No finished generation with that id (a queued or running one is cancelled or interrupted first)"));

    /// <summary>
    /// An output (or input, or temp) file from ComfyUI's <c>/view</c>, streamed through the studio so ComfyUI's port
    /// stays closed; <c>preview=webp;80</c> asks ComfyUI for a small image. A name or folder that climbs out is a 400.
    /// </summary>
    [HttpGet("view")]
    [ProducesResponseType<FileResult>(StatusCodes.Status200OK, "image/png", "image/jpeg", "image/webp", "application/octet-stream")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<IActionResult> View([FromQuery] string? filename, [FromQuery] string? subfolder, [FromQuery] string? type,
        [FromQuery] string? preview, CancellationToken ct)
    {
        var (name, folder, kind) = OutputPath.Check(filename, subfolder, type);
        if (preview is not null && !System.Text.RegularExpressions.Regex.IsMatch(preview, "^(webp|jpeg);[0-9]{1,3}$"))
            throw StudioException.Validation("preview must be webp;<quality> or jpeg;<quality>");
        var answer = await comfyUi.ViewAsync(name, folder, kind, preview, ct)
                     ?? throw StudioException.NotFound($"ComfyUI has no {kind} file '{name}'");
        HttpContext.Response.RegisterForDispose(answer);
        var media = answer.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";
        if (media is "text/html" or "application/xhtml+xml" or "text/javascript" or "text/css" or "image/svg+xml") media = "application/octet-stream";
        Response.Headers.CacheControl = "private, max-age=3600";
        Response.Headers.XContentTypeOptions = "nosniff";
        return File(await answer.Content.ReadAsStreamAsync(ct), media, enableRangeProcessing: false);
    }
}
