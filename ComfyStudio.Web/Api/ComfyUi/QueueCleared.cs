namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary><c>DELETE /api/comfyui/queue</c>: how many prompts were taken out (or interrupted), and <c>status: "success"</c>.</summary>
public sealed record QueueCleared(int Cleared, string Status);
