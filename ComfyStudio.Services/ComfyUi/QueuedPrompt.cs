using System.Text.Json.Nodes;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>
/// A prompt in ComfyUI's queue: its id and its number (the order it runs in), the API-format graph and the
/// <c>client_id</c> it was queued with (null when queued without one).
/// </summary>
public sealed record QueuedPrompt(string PromptId, long Number, JsonObject? Prompt = null, string? ClientId = null);
