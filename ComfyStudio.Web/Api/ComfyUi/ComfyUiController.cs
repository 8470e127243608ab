using System.Text.Json.Nodes;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Errors;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary>Spec B's view of ComfyUI's queue (what the Chrome extension's popup shows).</summary>
[ApiController]
[Route("api/comfyui")]
public sealed class ComfyUiController(ComfyUiClient comfyUi) : ControllerBase
{
    /// <summary>The running and pending prompts, by number; 503 <c>COMFYUI_UNAVAILABLE</c> when ComfyUI does not answer.</summary>
    [HttpGet("queue")]
    public async Task<JsonObject> Queue(CancellationToken ct)
    {
        var queue = await comfyUi.QueueAsync(ct)
                    ?? throw new StudioException(ErrorCodes.ComfyUiUnavailable, $"ComfyUI is not responding at {comfyUi.BaseAddress}");
        return new JsonObject
        {
            ["queue_running"] = Items(queue.Running),
            ["queue_pending"] = Items(queue.Pending),
        };

        static JsonArray Items(IReadOnlyList<QueuedPrompt> prompts) =>
            new([.. prompts.Select(p => (JsonNode)new JsonObject { ["prompt_id"] = p.PromptId, ["number"] = p.Number })]);
    }
}
