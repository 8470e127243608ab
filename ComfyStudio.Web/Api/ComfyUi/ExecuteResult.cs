using ComfyStudio.Services.ComfyUi;

namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary>
/// The answer to <c>POST /api/comfyui/execute</c>: <c>{prompt_id, number, status: "queued"}</c>, and the outputs
/// ComfyUI dropped as invalid (it queues a prompt when at least one output is valid).
/// </summary>
public sealed record ExecuteResult(string PromptId, double Number, string Status, IReadOnlyList<NodeError> NodeErrors);
