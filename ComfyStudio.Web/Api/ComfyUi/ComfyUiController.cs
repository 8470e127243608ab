using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Errors;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary>The Dashboard API's view of ComfyUI's queue (what the Chrome extension's popup shows).</summary>
[ApiController]
[Route("api/comfyui")]
public sealed class ComfyUiController(ComfyUiClient comfyUi) : ControllerBase
{
    /// <summary>The running and pending prompts, by number; 503 <c>COMFYUI_UNAVAILABLE</c> when ComfyUI does not answer.</summary>
    [HttpGet("queue")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<QueueResource> Queue(CancellationToken ct) => QueueResource.From(
        await comfyUi.QueueAsync(ct) ?? throw new StudioException(ErrorCodes.ComfyUiUnavailable, $"ComfyUI is not responding at {comfyUi.BaseAddress}"));
}
